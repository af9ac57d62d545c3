package dev.freshline.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.jspecify.annotations.Nullable;

import dev.freshline.embedded.Directories;

/**
 * Class data sharing (AppCDS) for a service's exec jar: most of a Spring Boot service's start-up
 * CPU is loading and verifying classes, which a JVM maps from an archive instead. JDK 17 cannot
 * share classes from a fat jar's nested jars, so the jar is extracted once (Spring Boot's
 * {@code -Djarmode=tools extract}) into {@code target/cds/}; the first run from it records the
 * archive when the JVM exits, and every later run of the same jar maps it. The directory is keyed
 * by the jar's content (entry names and CRCs, not the timestamps a rebuild changes) and the JVM, so
 * changed classes get a new extraction and a new archive. Anything missing, stale or failing falls
 * back to the plain jar or to no archive, said once in the launcher's output; a start never fails
 * for it. {@value #VARIABLE}=off turns it off.
 */
final class ClassDataArchive {

	static final String VARIABLE = "FRESHLINE_CDS";

	static final String ARCHIVE = "app.jsa";

	private static final Duration EXTRACT_TIMEOUT = Duration.ofMinutes(2);

	private final Path jar;

	private final @Nullable Path directory;

	private final @Nullable Path recording;

	private ClassDataArchive(Path jar, @Nullable Path directory, @Nullable Path recording) {
		this.jar = jar;
		this.directory = directory;
		this.recording = recording;
	}

	/**
	 * The archive of {@code jar}, extracting it first if this version of it never was; {@code say}
	 * hears what was done about it, once per call.
	 */
	static ClassDataArchive of(Path jar, String java, Consumer<String> say) {
		String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
		String module = name.replaceFirst("-exec$", "");
		// a missing jar fails the start where the service is started, with what to do about it
		if ("off".equalsIgnoreCase(String.valueOf(System.getenv(VARIABLE)).trim()) || !Files.isRegularFile(jar)) {
			return new ClassDataArchive(jar, null, null);
		}
		try {
			Path cds = jar.toAbsolutePath().getParent().resolve("cds");
			Path directory = cds.resolve(name + "-" + key(jar));
			if (!Files.isRegularFile(directory.resolve(jar.getFileName()))) {
				extract(jar, java, cds, directory);
			}
			if (Files.isRegularFile(directory.resolve(ARCHIVE))) {
				say.accept(module + ": class data archive " + directory.resolve(ARCHIVE));
				return new ClassDataArchive(jar, directory, null);
			}
			say.accept(module + ": no class data archive for this build yet; this run records one when it"
					+ " stops, for faster starts after it");
			return new ClassDataArchive(jar, directory, recording(directory));
		}
		catch (IOException | RuntimeException ex) {
			say.accept(module + ": runs from its jar without class data sharing (" + ex.getMessage() + ")");
			return new ClassDataArchive(jar, null, null);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new ClassDataArchive(jar, null, null);
		}
	}

	/**
	 * The same archive for one more JVM: each JVM that records writes a file of its own (api-1 and
	 * api-2 run the same jar, and both stop at once).
	 */
	ClassDataArchive forOneProcess() {
		return (this.recording == null || this.directory == null) ? this
				: new ClassDataArchive(this.jar, this.directory, recording(this.directory));
	}

	private static Path recording(Path directory) {
		return directory.resolve("recording-" + UUID.randomUUID() + ".jsa.part");
	}

	Path jar() {
		return this.jar;
	}

	/** What follows the JVM's own options on the command line: the archive's options, then {@code -jar} and the jar. */
	List<String> command() {
		if (this.directory == null) {
			return List.of("-jar", this.jar.toString());
		}
		String archive = (this.recording != null) ? "-XX:ArchiveClassesAtExit=" + this.recording
				: "-XX:SharedArchiveFile=" + this.directory.resolve(ARCHIVE);
		// -Xshare:auto, the default: an archive the JVM cannot use is skipped with a warning in the service's log
		return List.of(archive, "-jar", this.directory.resolve(this.jar.getFileName()).toString());
	}

	/**
	 * After the JVM exited: the recording of a run that ended as a service ends (stopped with
	 * SIGTERM or SIGINT, or exited 0) becomes the archive. A JVM killed otherwise may have died half
	 * way through writing it, and one that failed its start loaded too few classes to be worth it.
	 */
	synchronized void exited(int exitValue) {
		if (this.recording == null || this.directory == null || !Files.exists(this.recording)) {
			return;
		}
		try {
			boolean complete = exitValue == 0 || exitValue == 128 + 15 || exitValue == 128 + 2;
			if (complete && Files.size(this.recording) > 0) {
				moveAtomically(this.recording, this.directory.resolve(ARCHIVE));
			}
			else {
				Files.deleteIfExists(this.recording);
			}
		}
		catch (IOException ex) {
			// the next start records again
		}
	}

	/**
	 * The jar's entries by name, CRC and size, and the JVM the archive is for (an archive records
	 * the JDK's own base archive): a rebuild of unchanged code gives the same key.
	 */
	static String key(Path jar) throws IOException {
		MessageDigest digest = sha256();
		digest.update((System.getProperty("java.vm.version") + "\n" + System.getProperty("java.home") + "\n")
			.getBytes(StandardCharsets.UTF_8));
		try (ZipFile zip = new ZipFile(jar.toFile())) {
			List<ZipEntry> entries = new ArrayList<>(Collections.list(zip.entries()));
			entries.sort((a, b) -> a.getName().compareTo(b.getName()));
			for (ZipEntry entry : entries) {
				digest.update((entry.getName() + " " + entry.getCrc() + " " + entry.getSize() + "\n")
					.getBytes(StandardCharsets.UTF_8));
			}
		}
		return HexFormat.of().formatHex(digest.digest(), 0, 8);
	}

	/**
	 * Into a directory of its own first, then moved into place, so that two launchers (or api-1 and
	 * api-2) extracting at once never see half a directory; other versions of the jar go.
	 */
	private static void extract(Path jar, String java, Path cds, Path directory) throws IOException, InterruptedException {
		Files.createDirectories(cds);
		Path partial = cds.resolve(directory.getFileName() + ".part-" + UUID.randomUUID());
		Process extract = new ProcessBuilder(java, "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination",
				partial.toString())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			if (!extract.waitFor(EXTRACT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				extract.destroyForcibly();
				throw new IOException("extracting " + jar.getFileName() + " took over " + EXTRACT_TIMEOUT.toSeconds() + " s");
			}
			if (extract.exitValue() != 0 || !Files.isRegularFile(partial.resolve(jar.getFileName()))) {
				throw new IOException("extracting " + jar.getFileName() + " failed with exit code " + extract.exitValue());
			}
			try {
				Files.move(partial, directory, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (IOException alreadyThere) {
				if (!Files.isRegularFile(directory.resolve(jar.getFileName()))) {
					throw alreadyThere;
				}
			}
		}
		finally {
			extract.destroyForcibly();
			Directories.deleteRecursively(partial);
		}
		removeOtherVersions(cds, directory);
	}

	/**
	 * Keeps this version and the one before it, which a stack started before the rebuild may still
	 * restart a service from; older ones go.
	 */
	private static void removeOtherVersions(Path cds, Path keep) {
		String module = keep.getFileName().toString().replaceFirst("-[0-9a-f]+$", "-");
		List<Path> others = new ArrayList<>();
		try (DirectoryStream<Path> versions = Files.newDirectoryStream(cds, module + "*")) {
			for (Path version : versions) {
				if (!version.equals(keep) && version.getFileName().toString().matches("\\Q" + module + "\\E[0-9a-f]+")) {
					others.add(version);
				}
			}
			others.sort(Comparator.comparing(ClassDataArchive::modified).reversed());
			others.stream().skip(1).forEach(Directories::deleteRecursively);
		}
		catch (IOException | RuntimeException ex) {
			// only disk space
		}
	}

	private static FileTime modified(Path path) {
		try {
			return Files.getLastModifiedTime(path);
		}
		catch (IOException ex) {
			return FileTime.fromMillis(0);
		}
	}

	private static void moveAtomically(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (AtomicMoveNotSupportedException ex) {
			Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
		}
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}
}
