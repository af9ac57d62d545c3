package dev.freshline.bench;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * How long after a commit every API instance served a patient at (or past) the committed version:
 * each instance is read in turn, every {@code pause}, until it has; the staleness scenarios' one
 * measure of what a client sees. {@code answered} sees every response (the scenarios count
 * bypasses or failed reads); a read that got no answer at all counts as {@code null}.
 */
final class ServedEverywhere {

	private final BenchHttp http;

	private final List<String> instances;

	private final Duration pause;

	ServedEverywhere(BenchHttp http, List<String> instances, Duration pause) {
		this.http = http;
		this.instances = List.copyOf(instances);
		this.pause = pause;
	}

	/** Commit -> every instance served {@code version} (ms), or NaN if one had not by {@code deadline} (nanoTime). */
	double after(long id, long version, long committed, long deadline, Consumer<HttpResponse<String>> answered) {
		boolean[] fresh = new boolean[this.instances.size()];
		int left = this.instances.size();
		while (left > 0 && System.nanoTime() < deadline) {
			for (int i = 0; i < this.instances.size(); i++) {
				if (fresh[i]) {
					continue;
				}
				try {
					HttpResponse<String> read = this.http.get(this.instances.get(i) + "/patients/" + id);
					answered.accept(read);
					if (read.statusCode() == 200 && BenchHttp.version(read.body()) >= version) {
						fresh[i] = true;
						left--;
					}
				}
				catch (IOException ex) {
					// an unanswered read serves nothing: poll again
					answered.accept(null);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return Double.NaN;
				}
			}
			if (left > 0) {
				LockSupport.parkNanos(this.pause.toNanos());
			}
		}
		return (left == 0) ? (System.nanoTime() - committed) / 1e6 : Double.NaN;
	}
}
