package dev.freshline.launcher;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.freshline.embedded.ProcessStop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The class data archive against a copy of the invalidator's real exec jar and real JVMs, each
 * run until its context is refreshed ({@code spring.context.exit=onRefresh}, no server needed with
 * the schema check and topic creation off): the first run records the archive, the next run maps
 * the service's classes from it, and an archive that is stale, unfinished or cannot be made never
 * stops a service starting.
 */
class ClassDataArchiveTests {

	private static final Path JAR = Path.of("..").toAbsolutePath().normalize()
		.resolve("invalidator-service/target/invalidator-service-exec.jar");

	@TempDir
	Path target;

	private final List<String> said = new CopyOnWriteArrayList<>();

	private Path jar;

	@BeforeEach
	void copyTheJar() throws IOException {
		assumeTrue(Files.isRegularFile(JAR), "the invalidator's exec jar is built (./mvnw package)");
		this.jar = Files.copy(JAR, this.target.resolve(JAR.getFileName()));
	}

	@Test
	void shouldRecordTheArchiveOnTheFirstRunAndMapTheServicesClassesFromItOnTheNext() throws Exception {
		ClassDataArchive first = ClassDataArchive.of(this.jar, ServiceProcess.java(), this.said::add);
		assertThat(first.command()).anyMatch((option) -> option.startsWith("-XX:ArchiveClassesAtExit="))
			.noneMatch((option) -> option.startsWith("-XX:SharedArchiveFile="));
		assertThat(this.said).singleElement().asString().contains("invalidator-service: no class data archive");

		run(first, List.of());
		ClassDataArchive second = ClassDataArchive.of(this.jar, ServiceProcess.java(), this.said::add);

		assertThat(second.command()).anyMatch((option) -> option.startsWith("-XX:SharedArchiveFile="))
			.noneMatch((option) -> option.startsWith("-XX:ArchiveClassesAtExit="));
		assertThat(this.said.get(1)).contains("invalidator-service: class data archive");
		// -Xshare:on: a JVM that cannot map the archive refuses to start instead of going on without it
		assertThat(run(second, List.of("-Xshare:on", "-Xlog:class+load=info")))
			.contains("dev.freshline.invalidator.InvalidatorApplication source: shared objects file (top)");
	}

	@Test
	void shouldStillStartTheServiceFromAnArchiveThatNoLongerMatchesItsJars() throws Exception {
		ClassDataArchive first = ClassDataArchive.of(this.jar, ServiceProcess.java(), this.said::add);
		run(first, List.of());
		ClassDataArchive second = ClassDataArchive.of(this.jar, ServiceProcess.java(), this.said::add);
		// a library jar that is not the one the archive was recorded with (its time stamp is checked)
		Path extracted = Path.of(second.command().get(second.command().size() - 1)).getParent();
		try (var libraries = Files.list(extracted.resolve("lib"))) {
			Path library = libraries.findFirst().orElseThrow();
			Files.setLastModifiedTime(library, FileTime.from(Instant.now().plusSeconds(60)));
		}

		String log = run(second, List.of("-Xlog:cds", "-Xlog:class+load=info"));

		assertThat(log).contains("A jar file is not the one used while building the shared archive file")
			.doesNotContain("source: shared objects file (top)")
			.contains("Starting InvalidatorApplication");
	}

	@Test
	void shouldRecordAgainForAJarWithOtherClassesAndKeepTheVersionBefore() throws Exception {
		ClassDataArchive first = ClassDataArchive.of(this.jar, ServiceProcess.java(), this.said::add);
		Path before = Path.of(first.command().get(first.command().size() - 1)).getParent();
		Files.write(before.resolve(ClassDataArchive.ARCHIVE), new byte[] { 1 });
		assertThat(ClassDataArchive.of(this.jar, ServiceProcess.java(), this.said::add).command())
			.anyMatch((option) -> option.startsWith("-XX:SharedArchiveFile="));

		try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + this.jar.toUri()), Map.of())) {
			Files.writeString(zip.getPath("BOOT-INF/classes/changed.txt"), "a rebuild with a change");
		}
		ClassDataArchive rebuilt = ClassDataArchive.of(this.jar, ServiceProcess.java(), this.said::add);

		assertThat(rebuilt.command()).anyMatch((option) -> option.startsWith("-XX:ArchiveClassesAtExit="))
			.noneMatch((option) -> option.startsWith("-XX:SharedArchiveFile="));
		assertThat(Path.of(rebuilt.command().get(rebuilt.command().size() - 1)).getParent()).isNotEqualTo(before);
		assertThat(before.resolve(ClassDataArchive.ARCHIVE)).exists();
	}

	@Test
	void shouldDropARecordingOfAJvmThatWasKilled() throws Exception {
		ClassDataArchive first = ClassDataArchive.of(this.jar, ServiceProcess.java(), this.said::add);
		Path recording = Path.of(first.command().get(0).substring("-XX:ArchiveClassesAtExit=".length()));
		Files.write(recording, new byte[] { 1 });

		first.exited(137);

		assertThat(recording).doesNotExist();
		assertThat(recording.resolveSibling(ClassDataArchive.ARCHIVE)).doesNotExist();
		assertThat(ClassDataArchive.of(this.jar, ServiceProcess.java(), this.said::add).command())
			.anyMatch((option) -> option.startsWith("-XX:ArchiveClassesAtExit="));
	}

	@Test
	void shouldRunThePlainJarWhenItCannotBeExtracted() throws Exception {
		Path notBoot = this.target.resolve("plain-exec.jar");
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
		new JarOutputStream(Files.newOutputStream(notBoot), manifest).close();

		ClassDataArchive plain = ClassDataArchive.of(notBoot, ServiceProcess.java(), this.said::add);

		assertThat(plain.command()).containsExactly("-jar", notBoot.toString());
		assertThat(this.said).singleElement().asString()
			.startsWith("plain: runs from its jar without class data sharing (extracting plain-exec.jar failed");
	}

	/** Runs the service as the launcher would until its context is refreshed; it must exit 0. */
	private String run(ClassDataArchive archive, List<String> options) throws Exception {
		List<String> command = new ArrayList<>(List.of(ServiceProcess.java(), "-Xmx256m", "-XX:+UseSerialGC",
				"-XX:TieredStopAtLevel=1", "-Dspring.context.exit=onRefresh", "-Dspring.kafka.admin.auto-create=false"));
		command.addAll(options);
		command.addAll(archive.command());
		Path log = Files.createTempFile(this.target, "service", ".log");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
		builder.environment().put("INVALIDATOR_SCHEMA_CHECK", "false");
		Process service = builder.start();
		try {
			assertThat(service.waitFor(2, TimeUnit.MINUTES)).as("exited within 2 minutes").isTrue();
			assertThat(service.exitValue()).as(Files.readString(log)).isZero();
		}
		finally {
			ProcessStop.stop(service, Duration.ofSeconds(10));
		}
		archive.exited(service.exitValue());
		return Files.readString(log);
	}
}
