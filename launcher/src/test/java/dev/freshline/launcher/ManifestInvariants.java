package dev.freshline.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.Yaml;

/**
 * The rules a rendered Freshline kustomization keeps, as a list of violations rather than
 * assertions, so that the negative controls can run the same checks on manifests broken on
 * purpose. Each rule stands for a failure a cluster would show late or never: two connectors on
 * one slot, offsets lost with a pod, a probe on a path no service serves, a password in plain
 * text, a budget or a Service that selects nothing, a management port open to all, metrics
 * whose labels the alerts no longer find.
 */
final class ManifestInvariants {

	/** The container port Prometheus scrapes, by name in the scrape job and the NetworkPolicy. */
	static final String MANAGEMENT = "management";

	/** ChangeCapture waits this long for the engine to stop and flush before it gives up. */
	private static final int CONNECTOR_STOP_SECONDS = 30;

	/** The Dockerfiles' -XX:MaxRAMPercentage: the heap share of a container's memory they chose. */
	private static final double HEAP_SHARE = 0.75;

	private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

	/** A placeholder whose default is this machine: in a pod, a server that is not there. */
	private static final Pattern LOCAL_DEFAULT = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):localhost[^}]*}");

	private static final Pattern CREDENTIAL = Pattern.compile(".*(PASSWORD|SECRET|TOKEN)$");

	private static final Pattern XMX = Pattern.compile("-Xmx(\\d+)([kKmMgG]?)\\b");

	private static final Pattern QUANTITY = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?");

	private final Path root;

	private final Map<String, Set<String>> documentedSecrets;

	private final Map<String, ServiceConfiguration> modules = new HashMap<>();

	/**
	 * @param root the repository, whose modules hold each container's Dockerfile and yml
	 * @param documentedSecrets the Secrets docs/kubernetes.md tells an operator to create, with
	 * their keys: what a reference may name when the overlay generates no Secret of its own
	 */
	ManifestInvariants(Path root, Map<String, Set<String>> documentedSecrets) {
		this.root = root;
		this.documentedSecrets = documentedSecrets;
	}

	/** Every rule broken by these rendered documents, each naming the object and what is wrong. */
	List<String> check(List<Map<String, Object>> documents) {
		Rendered rendered = new Rendered(documents);
		List<String> violations = new ArrayList<>();
		for (Workload workload : rendered.workloads) {
			for (Map<String, Object> container : workload.containers()) {
				module(string(container, "name"), workload + " container " + string(container, "name"), violations);
			}
		}
		for (Workload workload : rendered.workloads) {
			checkPod(workload, rendered, violations);
			for (Map<String, Object> container : workload.containers()) {
				String where = workload + " container " + string(container, "name");
				ServiceConfiguration module = this.modules.get(string(container, "name"));
				checkImage(container, where, violations);
				checkProbes(container, module, where, violations);
				checkResources(container, where, violations);
				checkEnvironment(container, module, rendered, where, violations);
				checkSecrets(container, module, rendered, where, violations);
				checkManagementPort(container, module, where, violations);
			}
		}
		checkConfigMaps(rendered, violations);
		checkConnector(rendered, violations);
		checkInvalidator(rendered, violations);
		checkSelectors(rendered, violations);
		checkNetworkPolicies(rendered, violations);
		checkScrapeJob(rendered, violations);
		return violations;
	}

	private void checkConfigMaps(Rendered rendered, List<String> violations) {
		for (Map<String, Object> configMap : rendered.ofKind("ConfigMap")) {
			List<String> importers = rendered.importers(name(configMap));
			for (String key : map(configMap, "data").keySet()) {
				if (CREDENTIAL.matcher(key).matches()) {
					violations.add("ConfigMap/" + name(configMap) + " holds " + key + ": credentials belong in Secrets");
				}
				if (!importers.isEmpty() && importers.stream().noneMatch((importer) -> reads(importer, key))) {
					violations.add("ConfigMap/" + name(configMap) + " sets " + key + ", which no service importing it reads");
				}
			}
		}
	}

	private void checkPod(Workload workload, Rendered rendered, List<String> violations) {
		Map<String, Object> pod = workload.podSpec();
		if (!Boolean.FALSE.equals(pod.get("automountServiceAccountToken"))) {
			violations.add(workload + " mounts a service account token, and no service calls the Kubernetes API");
		}
		if (!Boolean.TRUE.equals(get(pod, "securityContext", "runAsNonRoot"))) {
			violations.add(workload + " does not require a non-root user");
		}
		boolean scaled = rendered.autoscaled(workload) || (workload.replicas() != null && workload.replicas() > 1);
		if (scaled && rendered.ofKind("PodDisruptionBudget").stream()
			.noneMatch((budget) -> selects(map(budget, "spec", "selector", "matchLabels"), workload.podLabels()))) {
			violations.add(workload + " runs several instances and no PodDisruptionBudget selects its pods");
		}
	}

	private void checkImage(Map<String, Object> container, String where, List<String> violations) {
		String image = string(container, "image");
		int slash = image.lastIndexOf('/');
		int colon = image.lastIndexOf(':');
		String repository = (colon > slash) ? image.substring(0, colon) : image;
		String tag = (colon > slash) ? image.substring(colon + 1) : "";
		if (tag.isEmpty() || tag.equals("latest")) {
			violations.add(where + ": image " + image + " has no pinned tag (kustomize images: newTag)");
		}
		if (!repository.endsWith("/" + string(container, "name"))) {
			violations.add(where + ": image " + image + " is not the one built from module " + string(container, "name"));
		}
	}

	private void checkProbes(Map<String, Object> container, @Nullable ServiceConfiguration module, String where,
			List<String> violations) {
		if (module != null && !module.servesProbePaths()) {
			violations.add(where + ": its yml does not serve /livez and /readyz on the main port "
					+ "(management.endpoint.health.probes.enabled and add-additional-paths)");
		}
		Integer serverPort = integer(literal(container, "SERVER_PORT"));
		if (serverPort == null) {
			violations.add(where + ": SERVER_PORT is not set, so the probes' port depends on the image");
		}
		Map<String, String> paths = new LinkedHashMap<>();
		paths.put("livenessProbe", "/livez");
		paths.put("readinessProbe", "/readyz");
		paths.put("startupProbe", "/livez");
		for (Map.Entry<String, String> expected : paths.entrySet()) {
			String probe = expected.getKey();
			if (!container.containsKey(probe)) {
				if (!probe.equals("startupProbe")) {
					violations.add(where + " has no " + probe);
				}
				continue;
			}
			Map<String, Object> httpGet = map(container, probe, "httpGet");
			if (!expected.getValue().equals(httpGet.get("path"))) {
				violations.add(where + ": " + probe + " asks " + httpGet.get("path") + ", the service answers it at "
						+ expected.getValue());
			}
			Integer port = containerPort(container, httpGet.get("port"));
			if (port == null || !port.equals(serverPort)) {
				violations.add(where + ": " + probe + " calls port " + httpGet.get("port") + ", not SERVER_PORT "
						+ serverPort + " where the probes are served");
			}
		}
	}

	private void checkResources(Map<String, Object> container, String where, List<String> violations) {
		for (String bound : List.of("requests", "limits")) {
			for (String resource : List.of("cpu", "memory")) {
				if (get(container, "resources", bound, resource) == null) {
					violations.add(where + " has no resources." + bound + "." + resource);
				}
			}
		}
		Long limit = bytes(get(container, "resources", "limits", "memory"));
		Long request = bytes(get(container, "resources", "requests", "memory"));
		if (limit != null && request != null && request > limit) {
			violations.add(where + ": memory request above its limit");
		}
		String options = literal(container, "JAVA_TOOL_OPTIONS");
		Matcher xmx = XMX.matcher((options != null) ? options : "");
		if (limit != null && xmx.find()) {
			long heap = Long.parseLong(xmx.group(1)) * switch (xmx.group(2).toLowerCase()) {
				case "k" -> 1024L;
				case "m" -> 1024L * 1024;
				case "g" -> 1024L * 1024 * 1024;
				default -> 1L;
			};
			if (heap > limit * HEAP_SHARE) {
				violations.add(where + ": heap -Xmx" + xmx.group(1) + xmx.group(2) + " leaves less than a quarter of the "
						+ get(container, "resources", "limits", "memory") + " memory limit to the rest of the JVM");
			}
		}
	}

	private void checkEnvironment(Map<String, Object> container, @Nullable ServiceConfiguration module,
			Rendered rendered, String where, List<String> violations) {
		for (Map<String, Object> variable : maps(container.get("env"))) {
			String name = string(variable, "name");
			if (CREDENTIAL.matcher(name).matches() && variable.containsKey("value")) {
				violations.add(where + ": " + name + " has a literal value; take it from a Secret (secretKeyRef)");
			}
			if (module != null && !module.reads(name)) {
				violations.add(where + " sets " + name + ", which " + module.name + ".yml does not read");
			}
		}
		if (module != null) {
			for (String endpoint : module.localDefaults) {
				// a cluster's node list replaces the single Redis host (Spring Boot's own setting)
				boolean replaced = endpoint.startsWith("REDIS_")
						&& rendered.environment(container, "SPRING_DATA_REDIS_CLUSTER_NODES") != null;
				if (rendered.environment(container, endpoint) == null && !replaced) {
					violations.add(where + ": " + endpoint + " is not set, so " + module.name
							+ " looks for its server on localhost");
				}
			}
		}
		for (Map<String, Object> source : maps(container.get("envFrom"))) {
			if (source.containsKey("secretRef")) {
				violations.add(where + " imports a whole Secret (envFrom); reference each key with secretKeyRef");
			}
			Object name = get(source, "configMapRef", "name");
			if (name == null) {
				continue;
			}
			if (rendered.named("ConfigMap", name.toString()) == null) {
				violations.add(where + " imports ConfigMap " + name + ", which is not rendered");
			}
		}
	}

	private boolean reads(String container, String variable) {
		ServiceConfiguration module = this.modules.get(container);
		return module != null && module.reads(variable);
	}

	private void checkSecrets(Map<String, Object> container, @Nullable ServiceConfiguration module, Rendered rendered,
			String where, List<String> violations) {
		Map<String, String> secretOf = new HashMap<>();
		for (Map<String, Object> variable : maps(container.get("env"))) {
			Map<String, Object> reference = map(variable, "valueFrom", "secretKeyRef");
			if (reference.isEmpty()) {
				continue;
			}
			String secret = string(reference, "name");
			String key = string(reference, "key");
			secretOf.put(string(variable, "name"), secret);
			Map<String, Object> generated = rendered.named("Secret", secret);
			Set<String> keys = (generated != null) ? new TreeSet<>(map(generated, "data").keySet())
					: this.documentedSecrets.get(secret);
			if (generated != null) {
				keys.addAll(map(generated, "stringData").keySet());
			}
			if (keys == null || !keys.contains(key)) {
				violations.add(where + ": " + string(variable, "name") + " refers to key " + key + " of Secret " + secret
						+ ", which the overlay does not generate and docs/kubernetes.md does not list");
			}
		}
		// a login's user and password change together, so they come from one Secret
		for (Map.Entry<String, String> password : secretOf.entrySet()) {
			if (!password.getKey().endsWith("PASSWORD")) {
				continue;
			}
			String prefix = password.getKey().substring(0, password.getKey().length() - "PASSWORD".length());
			for (String user : List.of(prefix + "USER", prefix + "USERNAME")) {
				if (secretOf.containsKey(user) && !secretOf.get(user).equals(password.getValue())) {
					violations.add(where + ": " + user + " and " + password.getKey() + " come from different Secrets");
				}
			}
		}
		if (module != null) {
			for (String read : module.placeholders) {
				if (read.endsWith("PASSWORD") && !secretOf.containsKey(read)) {
					violations.add(where + ": " + module.name + ".yml reads " + read + ", which no secretKeyRef sets");
				}
			}
		}
	}

	private void checkManagementPort(Map<String, Object> container, @Nullable ServiceConfiguration module, String where,
			List<String> violations) {
		Integer management = containerPort(container, MANAGEMENT);
		Integer configured = integer(literal(container, "MANAGEMENT_SERVER_PORT"));
		if (management == null || !management.equals(configured)) {
			violations.add(where + ": container port '" + MANAGEMENT + "' (" + management
					+ ") is not MANAGEMENT_SERVER_PORT (" + configured + "), which Prometheus scrapes");
		}
		if (!"0.0.0.0".equals(literal(container, "MANAGEMENT_SERVER_ADDRESS"))) {
			violations.add(where + ": MANAGEMENT_SERVER_ADDRESS is not 0.0.0.0, so the actuator stays on the pod's "
					+ "loopback where Prometheus cannot scrape it");
		}
		if (module != null && !module.exposesPrometheus()) {
			violations.add(where + ": " + module.name + ".yml does not expose the prometheus endpoint");
		}
	}

	private void checkConnector(Rendered rendered, List<String> violations) {
		Workload connector = rendered.running("cdc-connector");
		if (connector == null) {
			violations.add("no workload runs the cdc-connector");
			return;
		}
		if (!connector.kind().equals("Deployment")) {
			violations.add(connector + ": the connector runs as a " + connector.kind() + ", not a Deployment");
		}
		if (!Integer.valueOf(1).equals(connector.replicas())) {
			violations.add(connector + ": replicas " + connector.replicas()
					+ ", but exactly one connector may stream from a replication slot");
		}
		if (!"Recreate".equals(get(connector.doc(), "spec", "strategy", "type"))) {
			violations.add(connector + ": strategy " + get(connector.doc(), "spec", "strategy", "type")
					+ " starts the new connector before the old one stopped; it must be Recreate");
		}
		if (rendered.autoscaled(connector)) {
			violations.add(connector + ": an autoscaler targets the connector");
		}
		Object grace = connector.podSpec().get("terminationGracePeriodSeconds");
		if (!(grace instanceof Integer seconds) || seconds <= CONNECTOR_STOP_SECONDS) {
			violations.add(connector + ": terminationGracePeriodSeconds " + grace + " does not outlast the engine's "
					+ CONNECTOR_STOP_SECONDS + " s clean stop, so a stop could be a SIGKILL and the next start a flush");
		}
		Map<String, Object> container = connector.containers().get(0);
		String offsets = literal(container, "CDC_OFFSET_FILE");
		Map<String, Object> volume = null;
		for (Map<String, Object> mount : maps(container.get("volumeMounts"))) {
			if (offsets != null && offsets.startsWith(string(mount, "mountPath") + "/")) {
				volume = maps(connector.podSpec().get("volumes")).stream()
					.filter((candidate) -> Objects.equals(candidate.get("name"), mount.get("name")))
					.findFirst()
					.orElse(null);
			}
		}
		Object claim = (volume != null) ? get(volume, "persistentVolumeClaim", "claimName") : null;
		if (claim == null) {
			violations.add(connector + ": CDC_OFFSET_FILE " + offsets + " is not on a PersistentVolumeClaim, so a "
					+ "rescheduled pod loses its offsets");
			return;
		}
		Map<String, Object> pvc = rendered.named("PersistentVolumeClaim", claim.toString());
		List<Object> modes = list(pvc, "spec", "accessModes");
		if (pvc == null || modes.isEmpty()
				|| !Set.of("ReadWriteOnce", "ReadWriteOncePod").containsAll(modes.stream().map(Object::toString).toList())) {
			violations.add(connector + ": the offsets claim " + claim + " is missing or not ReadWriteOnce(Pod): "
					+ modes);
		}
	}

	private void checkInvalidator(Rendered rendered, List<String> violations) {
		Workload invalidator = rendered.running("invalidator-service");
		if (invalidator == null) {
			violations.add("no workload runs the invalidator-service");
			return;
		}
		Map<String, Object> container = invalidator.containers().get(0);
		Map<String, Object> instanceId = maps(container.get("env")).stream()
			.filter((variable) -> "INVALIDATOR_INSTANCE_ID".equals(variable.get("name")))
			.findFirst()
			.orElse(Map.of());
		if ("metadata.name".equals(get(instanceId, "valueFrom", "fieldRef", "fieldPath"))
				&& !invalidator.kind().equals("StatefulSet")) {
			violations.add(invalidator + ": INVALIDATOR_INSTANCE_ID is the pod name, which changes at every restart "
					+ "of a " + invalidator.kind() + "; static membership needs a StatefulSet's stable names");
		}
		if (!instanceId.isEmpty() && rendered.autoscaled(invalidator)) {
			violations.add(invalidator + ": an autoscaler scales static members in and out, and each one removed holds "
					+ "its partitions for the session timeout");
		}
		String partitions = rendered.environment(container, "FRESHLINE_TOPIC_PARTITIONS");
		String concurrency = rendered.environment(container, "INVALIDATOR_CONCURRENCY");
		int consumers = ((invalidator.replicas() != null) ? invalidator.replicas() : 1)
				* ((concurrency != null) ? Integer.parseInt(concurrency) : 1);
		// the yml's default when the variable is unset
		int available = (partitions != null) ? Integer.parseInt(partitions) : 3;
		if (consumers > available) {
			violations.add(invalidator + ": " + consumers + " consumers for " + available
					+ " partitions per change topic; the ones beyond the partitions get none");
		}
	}

	private void checkSelectors(Rendered rendered, List<String> violations) {
		for (Map<String, Object> budget : rendered.ofKind("PodDisruptionBudget")) {
			Map<String, Object> selector = map(budget, "spec", "selector", "matchLabels");
			if (selector.isEmpty() || rendered.workloads.stream().noneMatch((w) -> selects(selector, w.podLabels()))) {
				violations.add("PodDisruptionBudget/" + name(budget) + " selects no workload's pods: " + selector);
			}
		}
		for (Map<String, Object> service : rendered.ofKind("Service")) {
			Map<String, Object> selector = map(service, "spec", "selector");
			List<Workload> selected = rendered.workloads.stream().filter((w) -> selects(selector, w.podLabels())).toList();
			if (selector.isEmpty() || selected.isEmpty()) {
				violations.add("Service/" + name(service) + " selects no workload's pods: " + selector);
				continue;
			}
			for (Map<String, Object> port : maps(get(service, "spec", "ports"))) {
				Object target = (port.get("targetPort") != null) ? port.get("targetPort") : port.get("port");
				for (Workload workload : selected) {
					for (Map<String, Object> container : workload.containers()) {
						Integer resolved = containerPort(container, target);
						if (resolved == null) {
							violations.add("Service/" + name(service) + " targets port " + target + ", which " + workload
									+ " does not have");
						}
						else if (resolved.equals(containerPort(container, MANAGEMENT))) {
							violations.add("Service/" + name(service) + " exposes the management port of " + workload);
						}
					}
				}
			}
		}
		for (Map<String, Object> autoscaler : rendered.ofKind("HorizontalPodAutoscaler")) {
			Map<String, Object> target = map(autoscaler, "spec", "scaleTargetRef");
			if (rendered.workloads.stream().noneMatch((w) -> w.kind().equals(target.get("kind")) && w.name().equals(target.get("name")))) {
				violations.add("HorizontalPodAutoscaler/" + name(autoscaler) + " targets " + target + ", which is not rendered");
			}
		}
	}

	private void checkNetworkPolicies(Rendered rendered, List<String> violations) {
		for (Workload workload : rendered.workloads) {
			List<Map<String, Object>> policies = rendered.ofKind("NetworkPolicy").stream()
				.filter((policy) -> selects(map(policy, "spec", "podSelector", "matchLabels"), workload.podLabels()))
				.filter((policy) -> list(policy, "spec", "policyTypes").contains("Ingress") || list(policy, "spec", "policyTypes").isEmpty())
				.toList();
			if (policies.isEmpty()) {
				violations.add(workload + ": no NetworkPolicy selects its pods, so anyone reaches its management port");
				continue;
			}
			boolean admitted = false;
			for (Map<String, Object> policy : policies) {
				for (Map<String, Object> rule : maps(get(policy, "spec", "ingress"))) {
					List<Map<String, Object>> ports = maps(rule.get("ports"));
					boolean management = ports.isEmpty() || ports.stream().anyMatch((port) -> workload.containers().stream()
						.anyMatch((container) -> Objects.equals(containerPort(container, port.get("port")),
								containerPort(container, MANAGEMENT))));
					if (!management) {
						continue;
					}
					if (maps(rule.get("from")).isEmpty()) {
						violations.add("NetworkPolicy/" + name(policy) + " leaves the management port of " + workload
								+ " open to every source");
					}
					else {
						admitted = true;
					}
				}
			}
			if (!admitted) {
				violations.add(workload + ": no NetworkPolicy admits Prometheus to its management port");
			}
		}
	}

	@SuppressWarnings("unchecked")
	private void checkScrapeJob(Rendered rendered, List<String> violations) {
		Map<String, Object> configMap = rendered.named("ConfigMap", "freshline-prometheus-scrape");
		if (configMap == null || map(configMap, "data").size() != 1) {
			violations.add("ConfigMap/freshline-prometheus-scrape with one scrape configuration is not rendered");
			return;
		}
		Map<String, Object> configuration = new Yaml().load(map(configMap, "data").values().iterator().next().toString());
		List<Map<String, Object>> jobs = maps(configuration.get("scrape_configs"));
		if (jobs.isEmpty()) {
			violations.add("the scrape configuration has no job");
		}
		for (Map<String, Object> job : jobs) {
			String where = "scrape job " + job.get("job_name");
			if (!"/actuator/prometheus".equals(job.get("metrics_path"))) {
				violations.add(where + " scrapes " + job.get("metrics_path") + ", not /actuator/prometheus");
			}
			boolean keepsManagement = false;
			for (Map<String, Object> relabel : maps(job.get("relabel_configs"))) {
				List<Object> sources = list(relabel, "source_labels");
				if (sources.equals(List.of("__meta_kubernetes_pod_container_port_name")) && "keep".equals(relabel.get("action"))
						&& MANAGEMENT.equals(relabel.get("regex"))) {
					keepsManagement = true;
				}
				// Freshline's series carry a `namespace` label (the cache namespace) that alerts and the
				// dashboard group by; a target label of that name would rename theirs exported_namespace
				if ("namespace".equals(relabel.get("target_label"))) {
					violations.add(where + " writes the target label 'namespace', which hides the series' own");
				}
			}
			if (!keepsManagement) {
				violations.add(where + " does not keep only the container port named '" + MANAGEMENT + "'");
			}
		}
	}

	private @Nullable ServiceConfiguration module(String container, String where, List<String> violations) {
		Path directory = this.root.resolve(container);
		Path yml = directory.resolve("src/main/resources").resolve(container + ".yml");
		if (!Files.exists(directory.resolve("Dockerfile")) || !Files.exists(yml)) {
			violations.add(where + ": no module " + container + " with a Dockerfile and " + container + ".yml");
			return null;
		}
		return this.modules.computeIfAbsent(container, (name) -> ServiceConfiguration.read(name, yml));
	}

	/** A container port by name or number, or null when the container has no such port. */
	private static @Nullable Integer containerPort(Map<String, Object> container, @Nullable Object port) {
		for (Map<String, Object> candidate : maps(container.get("ports"))) {
			if (Objects.equals(candidate.get("name"), port) || Objects.equals(candidate.get("containerPort"), port)) {
				return (Integer) candidate.get("containerPort");
			}
		}
		return null;
	}

	/** A variable's literal value in the container's own env, or null. */
	private static @Nullable String literal(Map<String, Object> container, String name) {
		for (Map<String, Object> variable : maps(container.get("env"))) {
			if (name.equals(variable.get("name")) && variable.get("value") != null) {
				return variable.get("value").toString();
			}
		}
		return null;
	}

	private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
		return labels.entrySet().containsAll(selector.entrySet());
	}

	private static @Nullable Integer integer(@Nullable String value) {
		return (value != null && value.matches("\\d+")) ? Integer.valueOf(value) : null;
	}

	private static @Nullable Long bytes(@Nullable Object quantity) {
		Matcher matcher = QUANTITY.matcher(String.valueOf(quantity));
		if (quantity == null || !matcher.matches()) {
			return null;
		}
		long value = Long.parseLong(matcher.group(1));
		String unit = (matcher.group(2) != null) ? matcher.group(2) : "";
		return value * switch (unit) {
			case "Ki" -> 1L << 10;
			case "Mi" -> 1L << 20;
			case "Gi" -> 1L << 30;
			case "Ti" -> 1L << 40;
			case "k" -> 1_000L;
			case "M" -> 1_000_000L;
			case "G" -> 1_000_000_000L;
			case "T" -> 1_000_000_000_000L;
			default -> 1L;
		};
	}

	static String name(Map<String, Object> document) {
		return string(document, "metadata", "name");
	}

	static @Nullable Object get(@Nullable Object node, String... path) {
		Object current = node;
		for (String step : path) {
			if (!(current instanceof Map<?, ?> map)) {
				return null;
			}
			current = map.get(step);
		}
		return current;
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> map(@Nullable Object node, String... path) {
		Object found = get(node, path);
		return (found instanceof Map<?, ?>) ? (Map<String, Object>) found : new LinkedHashMap<>();
	}

	@SuppressWarnings("unchecked")
	static List<Object> list(@Nullable Object node, String... path) {
		Object found = get(node, path);
		return (found instanceof List<?>) ? (List<Object>) found : new ArrayList<>();
	}

	@SuppressWarnings("unchecked")
	static List<Map<String, Object>> maps(@Nullable Object node) {
		List<Map<String, Object>> maps = new ArrayList<>();
		if (node instanceof List<?> items) {
			for (Object item : items) {
				if (item instanceof Map<?, ?>) {
					maps.add((Map<String, Object>) item);
				}
			}
		}
		return maps;
	}

	static String string(@Nullable Object node, String... path) {
		return String.valueOf(get(node, path));
	}

	/** A Deployment or StatefulSet: what runs containers here. */
	record Workload(String kind, String name, Map<String, Object> doc) {

		Map<String, Object> podSpec() {
			return map(this.doc, "spec", "template", "spec");
		}

		Map<String, Object> podLabels() {
			return map(this.doc, "spec", "template", "metadata", "labels");
		}

		List<Map<String, Object>> containers() {
			return maps(podSpec().get("containers"));
		}

		@Nullable Integer replicas() {
			return (Integer) get(this.doc, "spec", "replicas");
		}

		@Override
		public String toString() {
			return this.kind + "/" + this.name;
		}
	}

	/** The rendered documents, with the look-ups the rules need. */
	private static final class Rendered {

		final List<Map<String, Object>> documents;

		final List<Workload> workloads = new ArrayList<>();

		Rendered(List<Map<String, Object>> documents) {
			this.documents = documents;
			for (Map<String, Object> document : documents) {
				String kind = string(document, "kind");
				if (kind.equals("Deployment") || kind.equals("StatefulSet") || kind.equals("DaemonSet")) {
					this.workloads.add(new Workload(kind, name(document), document));
				}
			}
		}

		List<Map<String, Object>> ofKind(String kind) {
			return this.documents.stream().filter((document) -> kind.equals(document.get("kind"))).toList();
		}

		@Nullable Map<String, Object> named(String kind, String name) {
			return ofKind(kind).stream().filter((document) -> name.equals(name(document))).findFirst().orElse(null);
		}

		@Nullable Workload running(String container) {
			return this.workloads.stream()
				.filter((workload) -> workload.containers().stream().anyMatch((c) -> container.equals(c.get("name"))))
				.findFirst()
				.orElse(null);
		}

		boolean autoscaled(Workload workload) {
			return ofKind("HorizontalPodAutoscaler").stream().anyMatch((autoscaler) -> workload.name()
				.equals(get(autoscaler, "spec", "scaleTargetRef", "name"))
					&& workload.kind().equals(get(autoscaler, "spec", "scaleTargetRef", "kind")));
		}

		/** The names of the containers that import this ConfigMap. */
		List<String> importers(String configMap) {
			List<String> importers = new ArrayList<>();
			for (Workload workload : this.workloads) {
				for (Map<String, Object> container : workload.containers()) {
					if (maps(container.get("envFrom")).stream()
						.anyMatch((source) -> configMap.equals(get(source, "configMapRef", "name")))) {
						importers.add(string(container, "name"));
					}
				}
			}
			return importers;
		}

		/** A variable as the container gets it: its own env's literal first, then its ConfigMaps'. */
		@Nullable String environment(Map<String, Object> container, String name) {
			String own = literal(container, name);
			if (own != null) {
				return own;
			}
			for (Map<String, Object> source : maps(container.get("envFrom"))) {
				Map<String, Object> configMap = named("ConfigMap", string(source, "configMapRef", "name"));
				Object value = get(configMap, "data", name);
				if (value != null) {
					return value.toString();
				}
			}
			return null;
		}
	}

	/** What a service's own yml says: the variables it reads and how its actuator is set up. */
	private record ServiceConfiguration(String name, Set<String> placeholders, Set<String> localDefaults,
			Map<String, Object> settings) {

		static ServiceConfiguration read(String name, Path yml) {
			try {
				String text = Files.readString(yml);
				Set<String> placeholders = new TreeSet<>();
				Matcher matcher = PLACEHOLDER.matcher(text);
				while (matcher.find()) {
					placeholders.add(matcher.group(1));
				}
				// the first document: the settings of every profile; later ones are profile-specific
				String common = text.split("(?m)^---$")[0];
				Set<String> localDefaults = new TreeSet<>();
				Matcher local = LOCAL_DEFAULT.matcher(common);
				while (local.find()) {
					localDefaults.add(local.group(1));
				}
				Map<String, Object> settings = map(new Yaml().load(common));
				return new ServiceConfiguration(name, placeholders, localDefaults, settings);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		/**
		 * Spring Boot binds its own settings from the environment by relaxed binding, and the JVM
		 * reads JAVA_TOOL_OPTIONS; everything else must be a placeholder of the yml, or it is a typo
		 * that leaves the setting at its localhost default.
		 */
		boolean reads(String variable) {
			return this.placeholders.contains(variable) || variable.startsWith("SPRING_")
					|| variable.equals("JAVA_TOOL_OPTIONS");
		}

		boolean servesProbePaths() {
			Map<String, Object> probes = map(this.settings, "management", "endpoint", "health", "probes");
			return Boolean.TRUE.equals(probes.get("enabled")) && Boolean.TRUE.equals(probes.get("add-additional-paths"));
		}

		boolean exposesPrometheus() {
			return string(this.settings, "management", "endpoints", "web", "exposure", "include").contains("prometheus");
		}
	}
}
