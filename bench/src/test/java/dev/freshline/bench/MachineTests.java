package dev.freshline.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.assertj.core.api.Assertions.assertThat;

class MachineTests {

	@Test
	void shouldReadOwnAndReapedTicksAfterACommandNameWithSpacesAndParentheses() {
		// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
		String stat = "4242 (postgres: bench (x) idle) S 1 4242 4242 0 -1 4194560 10 20 0 0 7 3 500 40 20 0 1 0";

		assertThat(Machine.ticks(stat, false)).isEqualTo(10);
		assertThat(Machine.ticks(stat, true)).isEqualTo(550);
	}

	@Test
	@EnabledOnOs(OS.LINUX)
	void shouldCountTheCpuOfAChildThatExitedBeforeTheSample() throws Exception {
		long self = ProcessHandle.current().pid();
		long childrenBefore = Machine.treeTicks(self) - ownTicks(self);

		// about a second of CPU in a child (and its children) that has exited and been reaped by the sample
		Process child = new ProcessBuilder("sh", "-c", "head -c 300000000 /dev/zero | sha256sum > /dev/null").start();
		assertThat(child.waitFor()).isZero();

		long childrenAfter = Machine.treeTicks(self) - ownTicks(self);
		assertThat(childrenAfter - childrenBefore).as("clock ticks of the exited child").isGreaterThanOrEqualTo(10);
	}

	private static long ownTicks(long pid) throws Exception {
		return Machine.ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")), false);
	}
}
