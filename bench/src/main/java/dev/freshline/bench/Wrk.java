package dev.freshline.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * One run of wrk (Debian's package {@code wrk}) against one endpoint: a load generator written in
 * C that costs a small share of the CPU the JVM it measures does, so that the read figures compare
 * endpoints, not generators. A Lua script this class writes chooses each request's path (one fixed
 * path, ids in a cycle, or ids each read once) and reports what wrk's own summary leaves out:
 * p99.9, how far a walk of ids went and the CPU wrk itself used.
 */
final class Wrk {

	/**
	 * Where the requests go: {@code path} alone when {@code count} is 0, otherwise
	 * {@code path + id} with ids from {@code first}, either cycling through {@code count} ids or,
	 * unless {@code cycle}, each read once in order (then {@code count} is only what the caller
	 * has: {@link Run#reach()} says how far the run went).
	 */
	record Target(String path, long first, long count, boolean cycle) {

		private static final Pattern SAFE = Pattern.compile("/[A-Za-z0-9/_-]*");

		Target {
			// the path goes into the Lua script as a literal: only characters that need no quoting
			if (!SAFE.matcher(path).matches()) {
				throw new IllegalArgumentException("not a plain path: " + path);
			}
		}

		static Target fixed(String path) {
			return new Target(path, 0, 0, false);
		}

		static Target cycling(String prefix, long first, long count) {
			return new Target(prefix, first, count, true);
		}

		static Target once(String prefix, long first, long count) {
			return new Target(prefix, first, count, false);
		}
	}

	/**
	 * What one run measured, as wrk counts it: {@code requests} completed (whatever their status)
	 * in {@code seconds}; {@code non2xx} of them answered with a status above 399; socket errors
	 * are requests that got no answer (or none within the timeout); {@code reach} is one past the
	 * highest request number the script built (ids {@code first} to {@code first + reach - 1} of a
	 * walk may have been read), beyond {@code requests} by those in flight at the end;
	 * {@code cpuSeconds} is wrk's own utime + stime.
	 */
	record Run(long requests, double seconds, double requestsPerS, double p50Ms, double p75Ms, double p90Ms,
			double p99Ms, double p999Ms, double maxMs, long non2xx, long connectErrors, long readErrors,
			long writeErrors, long timeouts, long reach, double cpuSeconds) {

		/** Reads per second that answered 2xx: a failed read is not a read. */
		double readsPerS() {
			return (this.requests == 0) ? 0 : this.requestsPerS * (this.requests - this.non2xx) / this.requests;
		}

		long errors() {
			return this.non2xx + this.connectErrors + this.readErrors + this.writeErrors + this.timeouts;
		}

		/** The cores wrk used over its run. */
		double cores() {
			return this.cpuSeconds / this.seconds;
		}

		ReadResult result(String scenario, String instance, int connections) {
			return new ReadResult(scenario, instance, connections, readsPerS(),
					new Percentiles((int) Math.min(Integer.MAX_VALUE, this.requests), this.p50Ms, this.p99Ms, this.p999Ms,
							this.maxMs),
					errors());
		}
	}

	/** The environment variable the script reads the token from: it never goes on a command line or to disk. */
	private static final String TOKEN_VARIABLE = "FRESHLINE_WRK_TOKEN";

	private static final String DONE = "freshline-wrk ";

	private static final Pattern LATENCY = Pattern.compile("^\\s+Latency\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)", Pattern.MULTILINE);

	private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|75|90|99)%\\s+(\\S+)$", Pattern.MULTILINE);

	private static final Pattern REQUESTS = Pattern.compile("^\\s+(\\d+) requests in (\\S+),", Pattern.MULTILINE);

	private static final Pattern RATE = Pattern.compile("^Requests/sec:\\s+([0-9.]+)$", Pattern.MULTILINE);

	private static final Pattern SOCKET_ERRORS = Pattern
		.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

	private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

	private static final Pattern REACH = Pattern.compile("^" + DONE + "reach=(\\d+) p999_us=([0-9.]+)$", Pattern.MULTILINE);

	private static final Pattern STAT = Pattern.compile("^" + DONE + "stat (.+)$", Pattern.MULTILINE);

	private static final Pattern TIME = Pattern.compile("([0-9.]+)(us|ms|s|m|h)");

	private final String executable;

	private final int threads;

	private final int connections;

	private final @Nullable String token;

	/** {@code token} goes into every request's Authorization header; null sends none. */
	Wrk(int threads, int connections, @Nullable String token) {
		this("wrk", threads, connections, token);
	}

	Wrk(String executable, int threads, int connections, @Nullable String token) {
		this.executable = executable;
		this.threads = threads;
		this.connections = connections;
		this.token = token;
	}

	int connections() {
		return this.connections;
	}

	/** The same load sending no Authorization header. */
	Wrk anonymous() {
		return new Wrk(this.executable, this.threads, this.connections, null);
	}

	/** Runs wrk against {@code baseUrl} for {@code duration} (whole seconds, as wrk takes them). */
	Run run(String baseUrl, Target target, Duration duration) throws IOException, InterruptedException {
		long seconds = Math.max(1, duration.toSeconds());
		Path script = Files.createTempFile("freshline-wrk", ".lua",
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		// wrk's output goes to a file, so that a wrk that hangs cannot block the bench on a pipe
		Path output = Files.createTempFile("freshline-wrk", ".out");
		try {
			Files.writeString(script, script(target, this.threads), StandardCharsets.UTF_8);
			List<String> command = new ArrayList<>(List.of(this.executable, "-t" + this.threads, "-c" + this.connections,
					"-d" + seconds + "s", "--timeout", "10s", "--latency", "-s", script.toString(), baseUrl));
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(output.toFile());
			builder.environment().remove(TOKEN_VARIABLE);
			if (this.token != null) {
				builder.environment().put(TOKEN_VARIABLE, this.token);
			}
			Process process;
			try {
				process = builder.start();
			}
			catch (IOException ex) {
				throw new IllegalStateException("wrk not found: apt-get install wrk (" + ex.getMessage() + ")", ex);
			}
			try {
				if (!process.waitFor(seconds + 30, TimeUnit.SECONDS)) {
					throw new IllegalStateException("wrk did not end within " + (seconds + 30) + " s");
				}
			}
			finally {
				process.destroyForcibly();
			}
			String printed = Files.readString(output, StandardCharsets.UTF_8);
			if (process.exitValue() != 0) {
				throw new IllegalStateException("wrk exited with " + process.exitValue() + ": " + printed.strip());
			}
			return parse(printed);
		}
		finally {
			Files.deleteIfExists(script);
			Files.deleteIfExists(output);
		}
	}

	/** Fails, with how to install it, unless wrk runs here. */
	void require() {
		try {
			Process process = new ProcessBuilder(this.executable, "--version").redirectErrorStream(true).start();
			process.getInputStream().readAllBytes();
			process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (IOException ex) {
			throw new IllegalStateException("wrk not found: apt-get install wrk", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while looking for wrk", ex);
		}
	}

	/**
	 * The script: wrk runs it in one Lua state per thread (request) and one more for setup and done.
	 * Thread t of n builds requests t, t + n, t + 2n, ..., so every id of a walk is read at most
	 * once over all threads. done() runs after wrk's summary: it adds p99.9, how far the walk
	 * reached (one past the highest request number built: the summary counts completed requests
	 * only, and wrk builds one request before the run to check the script, which this counts too)
	 * and wrk's /proc/self/stat, read in wrk's own process just before it exits, when its worker
	 * threads' CPU time has been added to it.
	 */
	static String script(Target target, int threads) {
		String next;
		if (target.count() == 0) {
			next = "path";
		}
		else if (target.cycle()) {
			next = String.format(Locale.ROOT, "path .. (%d + n %% %d)", target.first(), target.count());
		}
		else {
			next = String.format(Locale.ROOT, "path .. (%d + n)", target.first());
		}
		return """
				-- generated by the bench (Wrk.java) for one run; the token comes from the environment
				local token = os.getenv("%s")
				if token and token ~= "" then
				  wrk.headers["Authorization"] = "Bearer " .. token
				end
				local path = "%s"
				local threads = {}

				function setup(thread)
				  thread:set("index", #threads)
				  table.insert(threads, thread)
				end

				index = 0
				started = 0
				reach = 0

				function request()
				  local n = index + started * %d
				  started = started + 1
				  reach = n + 1
				  return wrk.format("GET", %s)
				end

				function done(summary, latency, requests)
				  local reach = 0
				  for _, thread in ipairs(threads) do
				    reach = math.max(reach, thread:get("reach"))
				  end
				  io.write(string.format("%sreach=%%d p999_us=%%d\\n", reach, latency:percentile(99.9)))
				  local stat = io.open("/proc/self/stat")
				  io.write("%sstat " .. stat:read("*l") .. "\\n")
				  stat:close()
				end
				""".formatted(TOKEN_VARIABLE, target.path(), threads, next, DONE, DONE);
	}

	/** wrk's summary with --latency, followed by the two lines our script's done() prints. */
	static Run parse(String output) {
		Matcher requests = find(REQUESTS, output, "the requests line");
		Matcher latency = find(LATENCY, output, "the latency line");
		double[] percentiles = new double[4];
		Matcher percentile = PERCENTILE.matcher(output);
		int seen = 0;
		while (percentile.find()) {
			int at = List.of("50", "75", "90", "99").indexOf(percentile.group(1));
			percentiles[at] = millis(percentile.group(2));
			seen++;
		}
		if (seen != 4) {
			throw new IllegalArgumentException("wrk printed no latency distribution (run without --latency?): " + output);
		}
		long[] socket = new long[4];
		Matcher errors = SOCKET_ERRORS.matcher(output);
		if (errors.find()) {
			for (int i = 0; i < 4; i++) {
				socket[i] = Long.parseLong(errors.group(i + 1));
			}
		}
		Matcher non2xx = NON_2XX.matcher(output);
		Matcher reach = find(REACH, output, "the script's done() line");
		long completed = Long.parseLong(requests.group(1));
		double rate = Double.parseDouble(find(RATE, output, "Requests/sec").group(1));
		// Requests/sec has more digits than the duration wrk prints (2.00s)
		double seconds = (completed > 0 && rate > 0) ? completed / rate : millis(requests.group(2)) / 1000;
		return new Run(completed, seconds, rate, percentiles[0], percentiles[1], percentiles[2], percentiles[3],
				Double.parseDouble(reach.group(2)) / 1000, millis(latency.group(3)),
				non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, socket[0], socket[1], socket[2], socket[3],
				Long.parseLong(reach.group(1)), Machine.ticks(find(STAT, output, "wrk's /proc/self/stat").group(1), false) / 100.0);
	}

	private static Matcher find(Pattern pattern, String output, String what) {
		Matcher matcher = pattern.matcher(output);
		if (!matcher.find()) {
			throw new IllegalArgumentException("wrk's output has no " + what + ": " + output);
		}
		return matcher;
	}

	/** A time as wrk prints it (12.34us, 1.20ms, 2.00s, 1.50m), in milliseconds. */
	static double millis(String time) {
		Matcher matcher = TIME.matcher(time);
		if (!matcher.matches()) {
			throw new IllegalArgumentException("not a wrk time: " + time);
		}
		double value = Double.parseDouble(matcher.group(1));
		return switch (matcher.group(2)) {
			case "us" -> value / 1000;
			case "ms" -> value;
			case "s" -> value * 1000;
			case "m" -> value * 60_000;
			default -> value * 3_600_000;
		};
	}
}
