package dev.freshline.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.freshline.launcher.Supervisor.Backoff;
import dev.freshline.launcher.Supervisor.ExitStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The supervisor against real child processes ({@code sleep}, {@code sh}): a killed or failing
 * service comes back with a new pid and one line saying why, and nothing comes back once the stack
 * is stopping.
 */
class SupervisorTests {

	private static final Backoff.Policy FAST = new Backoff.Policy(Duration.ofMillis(100), Duration.ofMillis(400),
			Duration.ofMinutes(1));

	@TempDir
	Path logs;

	private final List<String> console = new CopyOnWriteArrayList<>();

	private final List<ServiceProcess> restarted = new CopyOnWriteArrayList<>();

	private final Supervisor supervisor = new Supervisor(FAST, (service) -> {
	}, this.restarted::add, this.console::add);

	@AfterEach
	void stopEverything() {
		this.supervisor.stop().forEach(ServiceProcess::stop);
		this.restarted.forEach(ServiceProcess::stop);
	}

	@Test
	void shouldRestartAServiceKilledWithSigkillAndSayWhichWhyAndHowOften() throws Exception {
		ServiceProcess sleeper = start("sleeper", "sleep", "600");
		this.supervisor.supervise(sleeper);

		new ProcessBuilder("kill", "-KILL", Long.toString(sleeper.pid())).start().waitFor();

		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(this.restarted).hasSize(1));
		ServiceProcess second = this.restarted.get(0);
		assertThat(second.pid()).isNotEqualTo(sleeper.pid());
		assertThat(ProcessHandle.of(second.pid()).map(ProcessHandle::isAlive)).contains(true);
		assertThat(this.supervisor.services()).containsExactly(second);
		assertThat(this.console.get(0)).startsWith("sleeper (pid " + sleeper.pid() + ") killed by SIGKILL (exit code 137)")
			.contains("restart #1 in 0 s");
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.console).anyMatch((line) -> line.startsWith(
					"sleeper restarted as pid " + second.pid() + " and healthy again") && line.endsWith("(restart #1)")));

		new ProcessBuilder("kill", "-KILL", Long.toString(second.pid())).start().waitFor();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(this.restarted).hasSize(2));
		assertThat(this.console).anyMatch((line) -> line.startsWith("sleeper (pid " + second.pid() + ") killed by SIGKILL")
				&& line.contains("restart #2"));
	}

	@Test
	void shouldReportTheExitCodeOfAServiceThatFailsAndKeepRestartingIt() throws Exception {
		this.supervisor.supervise(start("failing", "sh", "-c", "exit 3"));

		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(this.restarted).hasSizeGreaterThanOrEqualTo(3));
		assertThat(this.console).anyMatch((line) -> line.matches("failing \\(pid \\d+\\) exited with code 3 after \\d+ s up; restart #3 in 0 s"));
	}

	@Test
	void shouldNotRestartWhatExitsOnceStopping() throws Exception {
		ServiceProcess sleeper = start("sleeper", "sleep", "600");
		this.supervisor.supervise(sleeper);

		this.supervisor.stop().forEach(ServiceProcess::stop);

		// onExit() completes on the JDK's reaper thread, a little after waitFor() returned in stop()
		await().atMost(Duration.ofSeconds(5)).until(() -> sleeper.onExit().isDone());
		// a restart would come after the 100 ms back-off: watch five times as long
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(this.restarted::isEmpty);
		assertThat(this.console).isEmpty();
	}

	@Test
	void shouldDoubleTheDelayUpToTheMaximumAndStartOverAfterAStableRun() {
		Backoff backoff = new Backoff(new Backoff.Policy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1)));
		Duration shortRun = Duration.ofSeconds(5);
		assertThat(List.of(backoff.next(shortRun), backoff.next(shortRun), backoff.next(shortRun), backoff.next(shortRun),
				backoff.next(shortRun), backoff.next(shortRun), backoff.next(shortRun)))
			.extracting(Duration::toSeconds)
			.containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
		assertThat(backoff.next(Duration.ofMinutes(2))).isEqualTo(Duration.ofSeconds(1));
		assertThat(backoff.restarts()).isEqualTo(8);
	}

	@Test
	void shouldNameTheSignalThatEndedAProcess() {
		assertThat(ExitStatus.describe(137)).isEqualTo("killed by SIGKILL (exit code 137)");
		assertThat(ExitStatus.describe(143)).isEqualTo("killed by SIGTERM (exit code 143)");
		assertThat(ExitStatus.describe(128 + 40)).isEqualTo("killed by signal 40 (exit code 168)");
		assertThat(ExitStatus.describe(1)).isEqualTo("exited with code 1");
		assertThat(ExitStatus.describe(128)).isEqualTo("exited with code 128");
	}

	private ServiceProcess start(String name, String... command) throws Exception {
		Path log = this.logs.resolve(name + ".log");
		return ServiceProcess.start(name, 0, log, List.of(command), Map.of(), null,
				ProcessBuilder.Redirect.to(log.toFile()));
	}
}
