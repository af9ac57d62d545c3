package dev.freshline.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import dev.freshline.embedded.DatabaseRole;
import dev.freshline.embedded.ServiceEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * No Docker engine runs here, so docker-compose.yml is checked the way an engine would read it:
 * {@code docker-compose config} must accept it, and every variable it sets must be one the
 * service's own configuration reads (a typo would silently fall back to a localhost default) and
 * one that {@link ServiceEnvironment}, which the launcher and the tests use, also sets.
 */
class ComposeFileTests {

	private static final String DOCKER_COMPOSE = "docker-compose";

	private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

	private static final Map<String, String> MODULES = Map.of("api-1", "api-service", "api-2", "api-service",
			"cdc-connector", "cdc-connector", "invalidator", "invalidator-service");

	private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

	private static Map<String, Map<String, Object>> services;

	/**
	 * Per test, not in {@code @BeforeAll}: an assumption failing there aborts the class before any
	 * test starts, and surefire reports "Tests run: 0" instead of each test skipped with the reason.
	 */
	@BeforeEach
	void resolveComposeFile() throws Exception {
		assumeTrue(onPath(DOCKER_COMPOSE), "docker-compose is not installed (apt-get install docker-compose); .ci/run installs it");
		if (services == null) {
			services = resolve();
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Map<String, Object>> resolve() throws Exception {
		ProcessBuilder command = new ProcessBuilder(DOCKER_COMPOSE, "-f", ROOT.resolve("docker-compose.yml").toString(),
				"config").redirectErrorStream(true);
		// compose refuses to start without the issuer the API trusts, and so does config
		command.environment().put("JWT_ISSUER_URI", "https://issuer.example.org/");
		Process config = command.start();
		String output = new String(config.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(config.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(config.exitValue()).as("docker-compose config said:%n%s", output).isZero();
		Map<String, Object> resolved = new Yaml().load(output);
		return (Map<String, Map<String, Object>>) resolved.get("services");
	}

	@Test
	void shouldRunTheWholeSystemWithTwoApiInstances() {
		assertThat(services).containsOnlyKeys("postgres", "kafka", "redis", "api-1", "api-2", "cdc-connector",
				"invalidator", "prometheus", "grafana");
	}

	/** Prometheus reaches each service's management port on the compose network, and nothing publishes it. */
	@Test
	@SuppressWarnings("unchecked")
	void shouldLetPrometheusScrapeEveryServiceOnItsManagementPortOnly() throws IOException {
		Map<String, Object> config = new Yaml().load(Files.readString(ROOT.resolve("docker/prometheus/prometheus.yml")));
		Set<String> targets = new TreeSet<>();
		for (Map<String, Object> job : (Iterable<Map<String, Object>>) config.get("scrape_configs")) {
			assertThat(job).containsEntry("metrics_path", "/actuator/prometheus");
			for (Map<String, Object> group : (Iterable<Map<String, Object>>) job.get("static_configs")) {
				targets.addAll((List<String>) group.get("targets"));
			}
		}
		Set<String> expected = new TreeSet<>();
		for (String service : MODULES.keySet()) {
			String port = String.valueOf(environmentOf(service, "MANAGEMENT_SERVER_PORT"));
			expected.add(service + ":" + port);
			assertThat(environmentOf(service, "MANAGEMENT_SERVER_ADDRESS")).as("%s's management address", service)
				.isEqualTo("0.0.0.0");
			assertThat(String.valueOf(services.get(service).get("ports"))).as("%s publishes", service)
				.doesNotContain("target=" + port).doesNotContain(":" + port);
		}
		assertThat(targets).isEqualTo(expected);
	}

	@Test
	void shouldOnlySetVariablesThatTheServicesRead() throws IOException {
		for (Map.Entry<String, String> service : MODULES.entrySet()) {
			Set<String> read = placeholders(service.getValue());
			Set<String> set = new TreeSet<>(environment(service.getKey()).keySet());
			set.remove("SPRING_PROFILES_ACTIVE");
			// Spring Boot binds its own settings from the environment (a typo there leaves the API
			// without a token verifier, and it does not start): only our placeholders can fall back
			set.removeIf((name) -> name.startsWith("SPRING_SECURITY_"));
			assertThat(read).as("variables %s sets that %s.yml reads", service.getKey(), service.getValue())
				.containsAll(set);
		}
	}

	@Test
	void shouldUseTheVariablesAndRoleNamesOfServiceEnvironment() {
		for (String service : MODULES.keySet()) {
			Map<String, Object> environment = environment(service);
			Set<String> set = new TreeSet<>(environment.keySet());
			set.remove("SPRING_PROFILES_ACTIVE");
			assertThat(ServiceEnvironment.NAMES).as("variables of %s", service).containsAll(set);
			for (DatabaseRole role : DatabaseRole.ALL) {
				if (environment.containsKey(role.userVariable())) {
					assertThat(environment.get(role.userVariable())).as("%s of %s", role.userVariable(), service)
						.isEqualTo(role.name());
				}
			}
		}
	}

	@Test
	void shouldGiveThePostgresInitScriptEveryRolesPassword() {
		Map<String, Object> postgres = environment("postgres");
		assertThat(postgres).containsEntry("POSTGRES_DB", "freshline");
		for (DatabaseRole role : DatabaseRole.ALL) {
			assertThat(postgres).containsKey(role.passwordVariable());
		}
	}

	@Test
	void shouldNeverLetAServiceLogInAsTheSuperuserNorPublishPostgres() {
		String superuser = (String) environment("postgres").get("POSTGRES_USER");
		assertThat(DatabaseRole.ALL).extracting(DatabaseRole::name).doesNotContain(superuser);
		for (String service : MODULES.keySet()) {
			for (DatabaseRole role : DatabaseRole.ALL) {
				assertThat(environment(service).get(role.userVariable())).as("%s of %s", role.userVariable(), service)
					.isNotEqualTo(superuser);
			}
		}
		assertThat(services.get("postgres")).as("postgres is reached on the compose network only").doesNotContainKey("ports");
	}

	@Test
	void shouldSetEveryPasswordAServiceReads() throws IOException {
		for (Map.Entry<String, String> service : MODULES.entrySet()) {
			Set<String> passwords = new TreeSet<>(placeholders(service.getValue()));
			passwords.removeIf((name) -> !name.endsWith("PASSWORD") || name.startsWith("REDIS"));
			assertThat(environment(service.getKey()).keySet()).as("environment of %s", service.getKey())
				.containsAll(passwords);
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void shouldBuildEachServiceFromItsModuleAndGateItOnHealth() throws IOException {
		for (Map.Entry<String, String> service : MODULES.entrySet()) {
			Map<String, Object> definition = services.get(service.getKey());
			Map<String, Object> build = (Map<String, Object>) definition.get("build");
			Path context = Path.of((String) build.get("context"));
			assertThat(context).isEqualTo(ROOT.resolve(service.getValue()));
			assertThat(Files.readString(context.resolve("Dockerfile"))).contains("target/" + service.getValue() + "-exec.jar");
			assertThat(definition).containsKey("healthcheck");
			Map<String, Map<String, String>> dependsOn = (Map<String, Map<String, String>>) definition.get("depends_on");
			assertThat(dependsOn.values()).allSatisfy((condition) -> assertThat(condition).containsEntry("condition", "service_healthy"));
		}
	}

	/** A variable as the service's container sees it: compose's environment, else the Dockerfile's ENV line. */
	private static Object environmentOf(String service, String name) throws IOException {
		Object value = environment(service).get(name);
		if (value != null) {
			return value;
		}
		String dockerfile = Files.readString(ROOT.resolve(MODULES.get(service)).resolve("Dockerfile"));
		Matcher env = Pattern.compile("\\b" + name + "=(\\S+)").matcher(dockerfile);
		assertThat(env.find()).as("%s of %s", name, service).isTrue();
		return env.group(1);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> environment(String service) {
		return (Map<String, Object>) services.get(service).get("environment");
	}

	private static Set<String> placeholders(String module) throws IOException {
		String yaml = Files.readString(ROOT.resolve(module).resolve("src/main/resources").resolve(module + ".yml"));
		Set<String> names = new TreeSet<>();
		Matcher matcher = PLACEHOLDER.matcher(yaml);
		while (matcher.find()) {
			names.add(matcher.group(1));
		}
		return names;
	}

	static boolean onPath(String command) {
		String path = System.getenv().getOrDefault("PATH", "");
		for (String directory : path.split(":")) {
			if (Files.isExecutable(Path.of(directory, command))) {
				return true;
			}
		}
		return false;
	}
}
