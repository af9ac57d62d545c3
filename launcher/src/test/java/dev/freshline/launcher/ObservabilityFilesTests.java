package dev.freshline.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Grafana dashboard and the Prometheus alert rules docker-compose provisions: they parse,
 * every query names Freshline series (LocalStackIntegrationTests checks that a running stack
 * exposes each), and Prometheus' own promtool accepts the configuration and the rules.
 */
class ObservabilityFilesTests {

	static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

	static final Path DASHBOARD = ROOT.resolve("docker/grafana/dashboards/freshline.json");

	static final Path ALERTS = ROOT.resolve("docker/prometheus/alerts.yml");

	private static final Pattern SERIES = Pattern.compile("\\bfreshline_[a-z_]+\\b");

	/** Every PromQL expression of the dashboard's panels and the alert rules. */
	@SuppressWarnings("unchecked")
	static List<String> queries() throws IOException {
		List<String> queries = new ArrayList<>();
		JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
		for (JsonNode panel : dashboard.path("panels")) {
			for (JsonNode target : panel.path("targets")) {
				queries.add(target.path("expr").asString());
			}
		}
		Map<String, Object> rules = new Yaml().load(Files.readString(ALERTS));
		for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
			for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
				queries.add(String.valueOf(rule.get("expr")));
			}
		}
		return queries;
	}

	/** The Freshline series the queries read. */
	static Set<String> seriesQueried() throws IOException {
		Set<String> series = new TreeSet<>();
		for (String query : queries()) {
			Matcher matcher = SERIES.matcher(query);
			while (matcher.find()) {
				series.add(matcher.group());
			}
		}
		return series;
	}

	@Test
	void shouldQueryFreshlineSeriesInEveryPanelAndRule() throws IOException {
		JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
		String datasource = String.valueOf(((Map<?, ?>) ((List<?>) new Yaml()
			.<Map<String, Object>>load(Files.readString(ROOT.resolve("docker/grafana/provisioning/datasources/prometheus.yml")))
			.get("datasources")).get(0)).get("uid"));
		for (JsonNode panel : dashboard.path("panels")) {
			if (panel.path("type").asString().equals("row")) {
				continue;
			}
			assertThat(panel.path("datasource").path("uid").asString()).as(panel.path("title").asString())
				.isEqualTo(datasource);
			assertThat(panel.path("targets")).as(panel.path("title").asString()).isNotEmpty();
		}
		assertThat(dashboard.path("panels").get(1).path("title").asString()).as("the headline comes first")
			.startsWith("Consistency within T");
		for (String query : queries()) {
			assertThat(SERIES.matcher(query).find()).as(query).isTrue();
		}
		assertThat(seriesQueried()).contains("freshline_inspector_checked_total", "freshline_pipeline_staleness_seconds",
				"freshline_invalidation_lag_seconds_bucket", "freshline_cache_requests_total",
				"freshline_slot_retained_wal_bytes", "freshline_dead_lettered_total");
	}

	@Test
	void shouldPassPromtoolsChecks() throws Exception {
		assumeTrue(ComposeFileTests.onPath("promtool"), "promtool is not installed (apt-get install prometheus); .ci/run installs it");
		// check config also checks the rule files the configuration names
		Process check = new ProcessBuilder("promtool", "check", "config", ROOT.resolve("docker/prometheus/prometheus.yml").toString())
			.redirectErrorStream(true)
			.start();
		String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(check.exitValue()).as("promtool said:%n%s", output).isZero();
		assertThat(output).contains("SUCCESS: 5 rules found");
	}
}
