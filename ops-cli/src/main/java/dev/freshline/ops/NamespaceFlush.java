package dev.freshline.ops;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

import picocli.CommandLine.Option;

import dev.freshline.cache.Primaries;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Namespace;

/**
 * Removes a namespace, or counts what that would remove, with the same progress and closing line
 * wherever it is done: {@code ops flush --namespace} and {@code ops resnapshot} (which flushes its
 * table's namespaces first) go through here, so both remove values, leases and floors alike
 * through {@code CacheCommands.flush}.
 */
public final class NamespaceFlush {

	private final Clients clients;

	private final CacheKeys keys;

	private final PrintWriter out;

	private final boolean terminal;

	private final Duration progressInterval;

	/** @param progressInterval how often a plain progress line is printed when not on a terminal */
	public NamespaceFlush(Clients clients, CacheKeys keys, PrintWriter out, boolean terminal, Duration progressInterval) {
		this.clients = clients;
		this.keys = keys;
		this.out = out;
		this.terminal = terminal;
		this.progressInterval = progressInterval;
	}

	/** The SCAN pattern of {@code namespace}: its values, leases and floors. */
	public String pattern(Namespace namespace) {
		return this.keys.namespacePattern(namespace);
	}

	/** The keys a flush of {@code namespace} would remove now, counted with SCAN on every primary; changes nothing. */
	public long count(Namespace namespace) {
		long[] count = { 0 };
		Primaries.scan(this.clients.redis(), pattern(namespace), 1000, (key) -> {
			count[0]++;
			return true;
		});
		return count[0];
	}

	/** Removes every value, lease and floor of {@code namespace}, printing progress and the total. */
	public long flush(Namespace namespace) {
		this.out.println("Flushing namespace " + namespace + " (" + pattern(namespace) + ")");
		Progress progress = new Progress(this.out, "flush " + namespace, "keys removed", 0, this.terminal,
				this.progressInterval);
		long removed = this.clients.cache().flush(namespace, progress::update);
		progress.finish(removed);
		this.out.println("Removed " + number(removed) + " keys of namespace " + namespace + " in "
				+ String.format(Locale.ROOT, "%.1f s", progress.elapsed().toNanos() / 1e9));
		return removed;
	}

	/**
	 * The option of every command that flushes namespaces ({@code flush}, {@code resnapshot},
	 * {@code reset-group --allow-skip}), mixed in, with the flush it configures.
	 */
	public static final class Options {

		@Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = "PT2S",
				description = "Plain flush progress lines when not on a terminal (default PT2S)")
		Duration progressInterval = Duration.ofSeconds(2);

		/** A flush through {@code clients}, printing where {@code connection} prints. */
		public NamespaceFlush flush(ConnectionOptions connection, Clients clients) {
			return new NamespaceFlush(clients, connection.endpoints().keys(), connection.out(), connection.ops().terminal(),
					this.progressInterval);
		}
	}

	public static String number(long value) {
		return String.format(Locale.ROOT, "%,d", value);
	}
}
