package dev.freshline.bench.chaos;

import java.util.Map;

import dev.freshline.bench.BenchHttp;
import dev.freshline.bench.ServiceCopy;
import dev.freshline.embedded.ServiceEnvironment;

/**
 * A second invalidator process in the launcher's consumer group: a {@link ServiceCopy} of the
 * launcher's invalidator (same jar, environment and group, its own port), healthy when returned.
 * It is a dynamic member, as instances that come and go should be: under the launcher's static
 * {@code INVALIDATOR_INSTANCE_ID} it would fence the launcher's consumers, and a static member
 * that stops keeps its partitions until the session timeout.
 */
final class ExtraInvalidator {

	private ExtraInvalidator() {
	}

	/** Its log is {@code logs/<name>.log} of the stack; close it with SIGTERM (a clean leave of the group). */
	static ServiceCopy start(ChaosContext context, String name) throws Exception {
		ServiceCopy copy = ServiceCopy.start(context.stack().pid("invalidator"), name,
				Map.of(ServiceEnvironment.INVALIDATOR_INSTANCE_ID, ""), context.stack().state().resolve("logs"));
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
