package dev.freshline.api.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.freshline.api.freshness.PipelineFence;
import dev.freshline.model.Consistency;
import dev.freshline.model.InvalidatorStatus;
import dev.freshline.model.Namespace;

/**
 * {@code /status}: a page with no external assets that polls {@code /status.json} every second
 * and draws the last minutes as small inline charts. The figures are this instance's (staleness,
 * requests by result, as counters: the page takes rates from successive polls) and each running
 * invalidator's (commit-to-delete percentiles, inspector totals) as it published them to Redis.
 */
@RestController
class StatusController {

	/** An invalidator's status older than this is left out: it stopped publishing. */
	private static final long STALE_AFTER_MILLIS = 5_000;

	private final PipelineFence fence;

	private final MeterRegistry meters;

	private final Supplier<Map<String, InvalidatorStatus>> invalidators;

	private final byte[] page;

	StatusController(PipelineFence fence, MeterRegistry meters, Supplier<Map<String, InvalidatorStatus>> invalidators) {
		this.fence = fence;
		this.meters = meters;
		this.invalidators = invalidators;
		this.page = read("/status/status.html");
	}

	@GetMapping(path = "/status", produces = MediaType.TEXT_HTML_VALUE)
	byte[] page() {
		return this.page;
	}

	@GetMapping(path = "/status.json", produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> status() {
		long now = System.currentTimeMillis();
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("instance", System.getProperty("freshline.instance", "api"));
		status.put("at", now);
		status.put("maxStalenessSeconds", this.fence.settings().maxStaleness().toMillis() / 1000.0);
		Map<String, Object> staleness = new LinkedHashMap<>();
		for (Namespace namespace : this.fence.namespaces()) {
			staleness.put(namespace.id(), this.fence.ageMillis(namespace).map((age) -> age / 1000.0).orElse(null));
		}
		status.put("stalenessSeconds", staleness);
		Map<String, Long> requests = new LinkedHashMap<>();
		for (String result : List.of("hit", "miss", "bypass")) {
			requests.put(result, (long) this.meters.find("freshline.cache.requests").tag("result", result).counters()
				.stream().mapToDouble(Counter::count).sum());
		}
		status.put("requests", requests);
		List<Map<String, Object>> invalidators = new ArrayList<>();
		long checked = 0;
		long inconsistent = 0;
		long grace = 0;
		for (Map.Entry<String, InvalidatorStatus> entry : this.invalidators.get().entrySet()) {
			InvalidatorStatus invalidator = entry.getValue();
			if (now - invalidator.atMillis() > STALE_AFTER_MILLIS) {
				continue;
			}
			Map<String, Object> figures = new LinkedHashMap<>();
			figures.put("instance", entry.getKey());
			figures.put("lagP50Seconds", finite(invalidator.lagP50Seconds()));
			figures.put("lagP99Seconds", finite(invalidator.lagP99Seconds()));
			figures.put("checked", invalidator.checked());
			figures.put("inconsistent", invalidator.inconsistent());
			invalidators.add(figures);
			checked += invalidator.checked();
			inconsistent += invalidator.inconsistent();
			grace = Math.max(grace, invalidator.graceMillis());
		}
		status.put("invalidators", invalidators);
		Consistency consistency = new Consistency(checked, inconsistent);
		status.put("consistency", Map.of("checked", checked, "inconsistent", inconsistent, "nines", consistency.nines(),
				"bounded", consistency.bounded(), "withinSeconds", grace / 1000.0));
		return status;
	}

	/** JSON has no NaN: a percentile with no sample yet is null. */
	private static Double finite(double value) {
		return Double.isFinite(value) ? value : null;
	}

	private static byte[] read(String resource) {
		try (InputStream in = StatusController.class.getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException(resource + " is missing from the API's jar");
			}
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}
}
