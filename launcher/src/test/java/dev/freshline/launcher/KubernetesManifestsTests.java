package dev.freshline.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

import static dev.freshline.launcher.ManifestInvariants.get;
import static dev.freshline.launcher.ManifestInvariants.map;
import static dev.freshline.launcher.ManifestInvariants.maps;
import static dev.freshline.launcher.ManifestInvariants.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Kubernetes manifests under deploy/kubernetes, checked without a cluster: each overlay is
 * rendered with {@code kubectl kustomize} (it must build), then held to
 * {@link ManifestInvariants}. Each rule is shown to bite by breaking one rendered overlay at a
 * time. A schema check of the objects is not made: {@code kubectl apply --dry-run=client} and
 * {@code kubectl create --dry-run=client} both ask a server for its API groups even with
 * {@code --validate=false} (docs/kubernetes.md).
 */
class KubernetesManifestsTests {

	private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

	private static final Path OVERLAYS = ROOT.resolve("deploy/kubernetes/overlays");

	private static final Path GUIDE = ROOT.resolve("docs/kubernetes.md");

	private static final Path PRODUCTION = ROOT.resolve("docs/production.md");

	/** The overlay that generates its Secrets from placeholders, so every reference resolves in it. */
	private static final String EXAMPLE = "single-redis";

	private static final Pattern NAME = Pattern.compile("`([^`]+)`");

	/** The 10 characters kustomize appends to a generated object's name, from a hash of its content. */
	private static final Pattern GENERATED = Pattern.compile("(.+)-[a-z0-9]{10}");

	private static final Map<String, String> rendered = new ConcurrentHashMap<>();

	@TempDir
	Path directory;

	static List<String> overlays() throws IOException {
		try (Stream<Path> entries = Files.list(OVERLAYS)) {
			return entries.filter(Files::isDirectory).map((path) -> path.getFileName().toString()).sorted().toList();
		}
	}

	@ParameterizedTest
	@MethodSource("overlays")
	void shouldBuildEachOverlayAndKeepEveryRule(String overlay) throws Exception {
		List<Map<String, Object>> documents = documents(overlay);
		assertThat(documents).extracting((document) -> document.get("kind"))
			.contains("Deployment", "StatefulSet", "Service", "PodDisruptionBudget", "NetworkPolicy", "ConfigMap");
		assertThat(invariants().check(documents)).as("rules broken by overlay %s", overlay).isEmpty();
	}

	@TestFactory
	Stream<DynamicTest> shouldReportEachRuleBrokenInARenderedOverlay() {
		return controls().entrySet().stream().map((control) -> DynamicTest.dynamicTest(control.getKey(), () -> {
			List<Map<String, Object>> documents = documents(EXAMPLE);
			control.getValue().breaking().accept(documents);
			assertThat(invariants().check(documents)).as("what the rules say of: %s", control.getKey())
				.anySatisfy((violation) -> assertThat(violation).contains(control.getValue().expected()));
		}));
	}

	/** A connector written the way a first draft might: every rule it breaks is named. */
	@Test
	void shouldReportEveryRuleABrokenManifestBreaks() throws IOException {
		String manifest = """
				apiVersion: apps/v1
				kind: Deployment
				metadata: {name: cdc-connector}
				spec:
				  replicas: 2
				  selector: {matchLabels: {app: cdc}}
				  template:
				    metadata: {labels: {app: cdc}}
				    spec:
				      containers:
				        - name: cdc-connector
				          image: freshline/cdc-connector:latest
				          ports: [{name: http, containerPort: 8080}]
				          env:
				            - {name: SERVER_PORT, value: "8080"}
				            - {name: CDC_DB_PASSWORD, value: hunter2}
				            - {name: CDC_OFFSET_FILE, value: /var/lib/freshline/cdc-offsets.dat}
				          readinessProbe: {httpGet: {path: /actuator/health, port: http}}
				---
				apiVersion: policy/v1
				kind: PodDisruptionBudget
				metadata: {name: connector}
				spec: {maxUnavailable: 1, selector: {matchLabels: {app: connector}}}
				""";
		List<Map<String, Object>> documents = parse(manifest);
		assertThat(invariants().check(documents)).anySatisfy((v) -> assertThat(v).contains("replicas 2"))
			.anySatisfy((v) -> assertThat(v).contains("must be Recreate"))
			.anySatisfy((v) -> assertThat(v).contains("CDC_DB_PASSWORD has a literal value"))
			.anySatisfy((v) -> assertThat(v).contains("is not on a PersistentVolumeClaim"))
			.anySatisfy((v) -> assertThat(v).contains("has no livenessProbe"))
			.anySatisfy((v) -> assertThat(v).contains("readinessProbe asks /actuator/health"))
			.anySatisfy((v) -> assertThat(v).contains("has no resources.limits.memory"))
			.anySatisfy((v) -> assertThat(v).contains("has no pinned tag"))
			.anySatisfy((v) -> assertThat(v).contains("PodDisruptionBudget/connector selects no workload's pods"))
			.anySatisfy((v) -> assertThat(v).contains("no NetworkPolicy selects its pods"))
			.anySatisfy((v) -> assertThat(v).contains("no workload runs the invalidator-service"));
	}

	/** Every credential production.md lists has a Secret in the Kubernetes guide. */
	@Test
	void shouldDocumentASecretForEveryCredentialOfProduction() throws IOException {
		Set<String> credentials = new TreeSet<>();
		for (List<String> row : table(PRODUCTION, "## Secrets")) {
			for (String variable : names(row.get(1))) {
				if (variable.matches("[A-Z_]+_(USER|USERNAME|PASSWORD)")) {
					credentials.add(variable);
				}
			}
		}
		Set<String> documented = new TreeSet<>();
		for (List<String> row : table(GUIDE, "## Secrets")) {
			documented.addAll(names(row.get(2)));
		}
		assertThat(credentials).as("production.md's credentials").contains("API_DB_PASSWORD", "KAFKA_PASSWORD",
				"REDIS_PASSWORD");
		assertThat(documented).as("the variables docs/kubernetes.md fills from Secrets").containsAll(credentials);
	}

	/** The example overlay generates what the guide tells an operator to create: no more, no less. */
	@Test
	void shouldGenerateExactlyTheDocumentedSecretsInTheExampleOverlay() throws Exception {
		Map<String, Set<String>> generated = new TreeMap<>();
		for (Map<String, Object> secret : documents(EXAMPLE)) {
			if ("Secret".equals(secret.get("kind"))) {
				Matcher matcher = GENERATED.matcher(name(secret));
				assertThat(matcher.matches()).as(name(secret)).isTrue();
				generated.put(matcher.group(1), new TreeSet<>(map(secret, "data").keySet()));
				assertThat(String.valueOf(get(secret, "type"))).isEqualTo("kubernetes.io/basic-auth");
			}
		}
		assertThat(generated).isEqualTo(documentedSecrets());
		for (String overlay : overlays()) {
			if (!overlay.equals(EXAMPLE)) {
				assertThat(documents(overlay)).as("Secrets generated by %s, which expects them created", overlay)
					.noneMatch((document) -> "Secret".equals(document.get("kind")));
			}
		}
	}

	/**
	 * Prometheus' own check of the scrape job the base ships, as for compose's configuration, and of
	 * the same job with a relabelling action misspelt (the check bites). Debian's promtool is built
	 * without Kubernetes service discovery ("field kubernetes_sd_configs not found"), so the check
	 * sees the job with a static target in its place: the rest (path, interval, every relabelling)
	 * is checked as written.
	 */
	@Test
	void shouldPassPromtoolsCheckOfTheScrapeJobButItsDiscovery() throws Exception {
		assumeTrue(ComposeFileTests.onPath("promtool"), "promtool is not installed (apt-get install prometheus); .ci/run installs it");
		Map<String, Object> configMap = documents(EXAMPLE).stream()
			.filter((document) -> "freshline-prometheus-scrape".equals(name(document)))
			.findFirst()
			.orElseThrow();
		String job = map(configMap, "data").values().iterator().next().toString();
		assertThat(promtool(withStaticTargets(job))).as("promtool on the scrape job").startsWith("0:");
		assertThat(promtool(withStaticTargets(job.replace("action: keep", "action: kept"))))
			.as("promtool on the job with a misspelt action").doesNotStartWith("0:")
			.contains("kept");
	}

	private static String withStaticTargets(String configuration) {
		Map<String, Object> parsed = new Yaml().load(configuration);
		for (Map<String, Object> job : maps(parsed.get("scrape_configs"))) {
			assertThat(job.remove("kubernetes_sd_configs")).as("the job's discovery").isNotNull();
			job.put("static_configs", List.of(Map.of("targets", List.of("pod.example:8081"))));
		}
		return new Yaml().dump(parsed);
	}

	/** promtool's exit status, a colon, and what it said. */
	private String promtool(String configuration) throws Exception {
		Path file = Files.createTempFile(this.directory, "prometheus", ".yml");
		Files.writeString(file, configuration);
		Process check = new ProcessBuilder("promtool", "check", "config", file.toString()).redirectErrorStream(true).start();
		String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
		return check.exitValue() + ":" + output;
	}

	/** One rule broken per entry, and the words its violation must contain. */
	private static Map<String, Control> controls() {
		Map<String, Control> controls = new LinkedHashMap<>();
		controls.put("two connectors", new Control((d) -> spec(d, "cdc-connector").put("replicas", 2), "replicas 2"));
		controls.put("a rolling connector", new Control(
				(d) -> spec(d, "cdc-connector").put("strategy", Map.of("type", "RollingUpdate")), "must be Recreate"));
		controls.put("offsets on an emptyDir", new Control((d) -> {
			for (Map<String, Object> volume : maps(get(spec(d, "cdc-connector"), "template", "spec", "volumes"))) {
				if (volume.containsKey("persistentVolumeClaim")) {
					volume.remove("persistentVolumeClaim");
					volume.put("emptyDir", Map.of());
				}
			}
		}, "is not on a PersistentVolumeClaim"));
		controls.put("a short grace period", new Control(
				(d) -> map(spec(d, "cdc-connector"), "template", "spec").put("terminationGracePeriodSeconds", 30),
				"terminationGracePeriodSeconds 30"));
		controls.put("readiness on the actuator", new Control(
				(d) -> map(container(d, "api-service"), "readinessProbe", "httpGet").put("path", "/actuator/health/readiness"),
				"readinessProbe asks /actuator/health/readiness"));
		controls.put("no liveness probe", new Control((d) -> container(d, "invalidator-service").remove("livenessProbe"),
				"has no livenessProbe"));
		controls.put("a probe on the management port", new Control(
				(d) -> map(container(d, "invalidator-service"), "livenessProbe", "httpGet").put("port", "management"),
				"livenessProbe calls port management"));
		controls.put("no CPU limit", new Control((d) -> map(container(d, "api-service"), "resources", "limits").remove("cpu"),
				"has no resources.limits.cpu"));
		controls.put("a heap the limit cannot hold", new Control(
				(d) -> map(container(d, "cdc-connector"), "resources", "limits").put("memory", "600Mi"), "heap -Xmx512m"));
		controls.put("a literal password", new Control((d) -> {
			for (Map<String, Object> variable : maps(container(d, "api-service").get("env"))) {
				if ("REDIS_PASSWORD".equals(variable.get("name"))) {
					variable.remove("valueFrom");
					variable.put("value", "not-in-a-secret");
				}
			}
		}, "REDIS_PASSWORD has a literal value"));
		controls.put("a Secret nobody creates", new Control((d) -> {
			for (Map<String, Object> variable : maps(container(d, "invalidator-service").get("env"))) {
				if ("KAFKA_PASSWORD".equals(variable.get("name"))) {
					map(variable, "valueFrom", "secretKeyRef").put("name", "kafka-credentials");
				}
			}
		}, "Secret kafka-credentials, which the overlay does not generate"));
		controls.put("a user and its password from two Secrets", new Control((d) -> {
			for (Map<String, Object> variable : maps(container(d, "invalidator-service").get("env"))) {
				if ("REDIS_USERNAME".equals(variable.get("name"))) {
					map(variable, "valueFrom", "secretKeyRef").put("name", secretNamed(d, "freshline-redis-ops"));
				}
			}
		}, "REDIS_USERNAME and REDIS_PASSWORD come from different Secrets"));
		controls.put("a password in a ConfigMap", new Control(
				(d) -> map(named(d, "ConfigMap", "freshline-endpoints"), "data").put("REDIS_PASSWORD", "x"),
				"holds REDIS_PASSWORD"));
		controls.put("an endpoint left at its localhost default", new Control(
				(d) -> map(named(d, "ConfigMap", "freshline-endpoints"), "data").remove("KAFKA_BOOTSTRAP_SERVERS"),
				"KAFKA_BOOTSTRAP_SERVERS is not set, so cdc-connector looks for its server on localhost"));
		controls.put("a misspelt variable", new Control(
				(d) -> envOf(container(d, "cdc-connector")).add(new LinkedHashMap<>(Map.of("name", "CDC_SLOT", "value", "x"))),
				"sets CDC_SLOT, which cdc-connector.yml does not read"));
		controls.put("a PodDisruptionBudget that selects nothing", new Control(
				(d) -> map(named(d, "PodDisruptionBudget", "invalidator"), "spec", "selector", "matchLabels")
					.put("app.kubernetes.io/name", "invalidator-service"),
				"PodDisruptionBudget/invalidator selects no workload's pods"));
		controls.put("a Service that selects nothing", new Control(
				(d) -> map(named(d, "Service", "api"), "spec", "selector").put("app.kubernetes.io/name", "api-service"),
				"Service/api selects no workload's pods"));
		controls.put("the management port in a Service", new Control(
				(d) -> maps(get(named(d, "Service", "api"), "spec", "ports")).get(0).put("targetPort", "management"),
				"Service/api exposes the management port"));
		controls.put("the actuator left on loopback", new Control((d) -> envOf(container(d, "invalidator-service"))
			.removeIf((variable) -> "MANAGEMENT_SERVER_ADDRESS".equals(variable.get("name"))),
				"MANAGEMENT_SERVER_ADDRESS is not 0.0.0.0"));
		controls.put("a management port the service does not listen on", new Control((d) -> {
			for (Map<String, Object> port : maps(container(d, "api-service").get("ports"))) {
				if (ManifestInvariants.MANAGEMENT.equals(port.get("name"))) {
					port.put("containerPort", 9090);
				}
			}
		}, "container port 'management' (9090) is not MANAGEMENT_SERVER_PORT (8081)"));
		controls.put("the management port open to all", new Control(
				(d) -> maps(get(named(d, "NetworkPolicy", "freshline-management"), "spec", "ingress")).get(0).remove("from"),
				"leaves the management port of Deployment/api open to every source"));
		controls.put("a scrape target label that hides the series' namespace", new Control((d) -> {
			Map<String, Object> data = map(named(d, "ConfigMap", "freshline-prometheus-scrape"), "data");
			String key = data.keySet().iterator().next();
			data.put(key, data.get(key).toString().replace("target_label: kubernetes_namespace", "target_label: namespace"));
		}, "writes the target label 'namespace'"));
		controls.put("a scrape job on another port", new Control((d) -> {
			Map<String, Object> data = map(named(d, "ConfigMap", "freshline-prometheus-scrape"), "data");
			String key = data.keySet().iterator().next();
			data.put(key, data.get(key).toString().replace("regex: management", "regex: http"));
		}, "does not keep only the container port named 'management'"));
		controls.put("more invalidators than partitions", new Control((d) -> spec(d, "invalidator-service").put("replicas", 4),
				"4 consumers for 3 partitions"));
		controls.put("static members in a Deployment", new Control((d) -> named(d, "StatefulSet", "invalidator").put("kind",
				"Deployment"), "static membership needs a StatefulSet's stable names"));
		controls.put("an unpinned image", new Control(
				(d) -> container(d, "api-service").put("image", "freshline/api-service:latest"), "has no pinned tag"));
		return controls;
	}

	private record Control(Consumer<List<Map<String, Object>>> breaking, String expected) {
	}

	private static Map<String, Object> named(List<Map<String, Object>> documents, String kind, String prefix) {
		return documents.stream()
			.filter((document) -> kind.equals(document.get("kind")))
			.filter((document) -> name(document).equals(prefix) || name(document).startsWith(prefix + "-"))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + kind + " " + prefix));
	}

	private static String secretNamed(List<Map<String, Object>> documents, String prefix) {
		return name(named(documents, "Secret", prefix));
	}

	/** The spec of the workload running this container. */
	private static Map<String, Object> spec(List<Map<String, Object>> documents, String container) {
		for (Map<String, Object> document : documents) {
			for (Map<String, Object> candidate : maps(get(document, "spec", "template", "spec", "containers"))) {
				if (container.equals(candidate.get("name"))) {
					return map(document, "spec");
				}
			}
		}
		throw new AssertionError("no workload runs " + container);
	}

	private static Map<String, Object> container(List<Map<String, Object>> documents, String container) {
		return maps(get(spec(documents, container), "template", "spec", "containers")).stream()
			.filter((candidate) -> container.equals(candidate.get("name")))
			.findFirst()
			.orElseThrow();
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> envOf(Map<String, Object> container) {
		return (List<Map<String, Object>>) container.get("env");
	}

	private static ManifestInvariants invariants() throws IOException {
		return new ManifestInvariants(ROOT, documentedSecrets());
	}

	/** The Secrets table of docs/kubernetes.md: each Secret with its keys. */
	private static Map<String, Set<String>> documentedSecrets() throws IOException {
		Map<String, Set<String>> secrets = new TreeMap<>();
		for (List<String> row : table(GUIDE, "## Secrets")) {
			secrets.put(names(row.get(0)).get(0), new TreeSet<>(names(row.get(1))));
		}
		assertThat(secrets).as("the Secrets table of %s", GUIDE).isNotEmpty();
		return secrets;
	}

	/** The body rows of the first table under a heading, each as its cells. */
	private static List<List<String>> table(Path file, String heading) throws IOException {
		List<List<String>> rows = new ArrayList<>();
		boolean inSection = false;
		boolean inTable = false;
		for (String line : Files.readAllLines(file)) {
			if (line.startsWith("## ")) {
				inSection = line.equals(heading);
				continue;
			}
			if (!inSection) {
				continue;
			}
			if (line.startsWith("|")) {
				inTable = true;
				List<String> cells = new ArrayList<>(List.of(line.substring(1).split("\\|")));
				if (!cells.get(0).isBlank() && !cells.get(0).contains("---")) {
					rows.add(cells);
				}
			}
			else if (inTable) {
				break;
			}
		}
		// the first row is the header
		return rows.isEmpty() ? rows : rows.subList(1, rows.size());
	}

	private static List<String> names(String cell) {
		List<String> names = new ArrayList<>();
		Matcher matcher = NAME.matcher(cell);
		while (matcher.find()) {
			names.add(matcher.group(1));
		}
		return names;
	}

	/** The overlay rendered by kubectl's kustomize, parsed afresh for every caller to change. */
	private static List<Map<String, Object>> documents(String overlay) throws Exception {
		String output = rendered.get(overlay);
		if (output == null) {
			output = kustomize(OVERLAYS.resolve(overlay));
			rendered.put(overlay, output);
		}
		return parse(output);
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> parse(String yaml) {
		List<Map<String, Object>> documents = new ArrayList<>();
		for (Object document : new Yaml().loadAll(yaml)) {
			if (document != null) {
				documents.add((Map<String, Object>) document);
			}
		}
		return documents;
	}

	private static String kustomize(Path overlay) throws Exception {
		if (!ComposeFileTests.onPath("kubectl")) {
			// not an assumption: these manifests would go unchecked in CI without a word
			fail("kubectl is not on the PATH: the Kubernetes manifests are rendered with `kubectl kustomize` "
					+ "(kustomize v5; checked with kubectl 1.32, which the machine image has at /usr/bin/kubectl; "
					+ "Debian's kubernetes-client, kubectl 1.20, cannot build the overlays)");
		}
		Path errors = Files.createTempFile("kustomize", ".log");
		try {
			Process build = new ProcessBuilder("kubectl", "kustomize", overlay.toString())
				.redirectError(errors.toFile())
				.start();
			String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(build.waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(build.exitValue()).as("kubectl kustomize %s said:%n%s", overlay, Files.readString(errors)).isZero();
			return output;
		}
		finally {
			Files.delete(errors);
		}
	}
}
