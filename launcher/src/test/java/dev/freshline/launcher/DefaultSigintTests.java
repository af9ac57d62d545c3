package dev.freshline.launcher;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Why {@link LocalStackIntegrationTests} starts the launcher through {@link DefaultSigint}: a JVM
 * started with SIGINT ignored shrugs SIGINT off (the negative control), the wrapper makes SIGINT
 * stop it again, and SIGTERM stops it either way.
 */
class DefaultSigintTests {

	private final List<Process> started = new ArrayList<>();

	@AfterEach
	void killAll() throws Exception {
		for (Process process : this.started) {
			process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void aJvmStartedWithSigintIgnoredDoesNotStopOnSigint() throws Exception {
		List<String> output = new CopyOnWriteArrayList<>();
		Process jvm = start(DefaultSigint.startedWithSigintIgnored(java()), output);

		assertThat(DefaultSigint.ignoresSigint(jvm.pid())).isTrue();
		signal("INT", jvm);
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(jvm::isAlive);

		signal("TERM", jvm);
		assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
		assertThat(jvm.exitValue()).isEqualTo(128 + 15);
		await().atMost(Duration.ofSeconds(5)).until(() -> output.contains("stopping"));
	}

	@Test
	void theWrapperMakesSigintStopAJvmThatWasStartedWithSigintIgnored() throws Exception {
		List<String> output = new CopyOnWriteArrayList<>();
		Process jvm = start(DefaultSigint.startedWithSigintIgnored(DefaultSigint.wrap(java())), output);

		assertThat(DefaultSigint.ignoresSigint(jvm.pid())).isFalse();
		signal("INT", jvm);

		assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGINT").isTrue();
		assertThat(jvm.exitValue()).isEqualTo(128 + 2);
		await().atMost(Duration.ofSeconds(5)).until(() -> output.contains("stopping"));
	}

	private Process start(List<String> command, List<String> output) throws Exception {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		this.started.add(process);
		Thread reader = new Thread(() -> {
			try (BufferedReader lines = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				lines.lines().forEach(output::add);
			}
			catch (Exception ex) {
				output.add("(output closed: " + ex + ")");
			}
		});
		reader.setDaemon(true);
		reader.start();
		// the hook is installed before "ready": a signal sent earlier would test the JVM's start-up
		await().atMost(Duration.ofSeconds(30)).until(() -> output.contains("ready"));
		return process;
	}

	private static List<String> java() {
		return List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
				System.getProperty("java.class.path"), AwaitSignal.class.getName());
	}

	private static void signal(String signal, Process process) throws Exception {
		new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
	}
}
