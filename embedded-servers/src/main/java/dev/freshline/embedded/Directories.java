package dev.freshline.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/** File helpers shared by the servers, which all own a scratch directory they must wipe. */
public final class Directories {

	private Directories() {
	}

	static Path createTemp(String prefix) {
		try {
			return Files.createTempDirectory(prefix);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create a temporary directory " + prefix, ex);
		}
	}

	static boolean isEmptyOrAbsent(Path directory) {
		if (!Files.isDirectory(directory)) {
			return !Files.exists(directory);
		}
		try (Stream<Path> entries = Files.list(directory)) {
			return entries.findAny().isEmpty();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot list " + directory, ex);
		}
	}

	/**
	 * Deletes a scratch directory left by an earlier run, but only when a marker file proves it is one:
	 * a mistyped path must never wipe somebody's files.
	 */
	static void discardPrevious(Path directory, String markerFile, String serverName) {
		if (isEmptyOrAbsent(directory)) {
			return;
		}
		if (!Files.exists(directory.resolve(markerFile))) {
			throw new EmbeddedServerException(directory + " is neither empty nor a " + serverName
					+ " directory (no " + markerFile + "); refusing to wipe it");
		}
		deleteRecursively(directory);
	}

	/** Deletes a directory tree, tolerating files that vanish meanwhile (a server deleting its own files). */
	public static void deleteRecursively(Path directory) {
		if (!Files.exists(directory)) {
			return;
		}
		try {
			Files.walkFileTree(directory, new SimpleFileVisitor<>() {
				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
					Files.deleteIfExists(file);
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
					if (e instanceof NoSuchFileException) {
						return FileVisitResult.CONTINUE;
					}
					throw e;
				}

				@Override
				public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
					Files.deleteIfExists(dir);
					return FileVisitResult.CONTINUE;
				}
			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot delete " + directory, ex);
		}
	}
}
