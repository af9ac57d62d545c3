package dev.freshline.bench.chaos;

import java.util.Map;

import dev.freshline.bench.BenchHttp;
import dev.freshline.bench.ServiceCopy;

/**
 * A second invalidator process in the launcher's consumer group: a {@link ServiceCopy} of the
 * launcher's invalidator (same jar, environment and group, its own port), healthy when returned.
 */
final class ExtraInvalidator {

	private ExtraInvalidator() {
	}

	/** Its log is {@code logs/<name>.log} of the stack; close it with SIGTERM (a clean leave of the group). */
	static ServiceCopy start(ChaosContext context, String name) throws Exception {
		ServiceCopy copy = ServiceCopy.start(context.stack().pid("invalidator"), name, Map.of(),
				context.stack().state().resolve("logs"));
		try {
			copy.awaitHealthy(new BenchHttp());
		}
		catch (Exception ex) {
			copy.close();
			throw ex;
		}
		context.progress().line("  %s started as pid %d", name, copy.pid());
		return copy;
	}
}
