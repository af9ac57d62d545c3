package dev.freshline.model;

import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commit metadata's format: what the invalidator and the ops tool write is read back, entries
 * it does not know are ignored, metadata written by anything else names no topic, and a skip
 * marker is never read as no skip.
 */
class CommitMetadataTests {

	@Test
	void shouldReadBackTheTopicIdsItWrote() {
		CommitMetadata written = new CommitMetadata(Set.of("ueHs3tpzSj2CtJu-uAl2vg", "RGmSCEMFTlCrpsDE1EnuOg"));

		assertThat(written.encode()).isEqualTo("topic-ids=RGmSCEMFTlCrpsDE1EnuOg,ueHs3tpzSj2CtJu-uAl2vg");
		assertThat(CommitMetadata.parse(written.encode())).isEqualTo(written);
		assertThat(written.recordsSkip()).isFalse();
	}

	@Test
	void shouldReadBackASkip() {
		CommitMetadata written = new CommitMetadata(Set.of("RGmSCEMFTlCrpsDE1EnuOg"), 42);

		assertThat(written.encode()).isEqualTo("topic-ids=RGmSCEMFTlCrpsDE1EnuOg;skipped=42");
		assertThat(CommitMetadata.parse(written.encode())).isEqualTo(written);
		assertThat(written.recordsSkip()).isTrue();
	}

	@Test
	void shouldIgnoreEntriesItDoesNotKnow() {
		CommitMetadata read = CommitMetadata.parse("moved-by=ops; topic-ids=RGmSCEMFTlCrpsDE1EnuOg ;x=y");

		assertThat(read.topicIds()).containsExactly("RGmSCEMFTlCrpsDE1EnuOg");
		assertThat(read.recordsSkip()).isFalse();
	}

	@Test
	void shouldTakeAnUnreadableSkipCountAsASkip() {
		assertThat(CommitMetadata.parse("skipped=lots").recordsSkip()).isTrue();
		assertThat(CommitMetadata.parse("skipped=0").recordsSkip()).isTrue();
	}

	@Test
	void shouldNameNoTopicWhenWrittenByAnythingElse() {
		assertThat(CommitMetadata.parse(null).knowsTopics()).isFalse();
		assertThat(CommitMetadata.parse("").knowsTopics()).isFalse();
		assertThat(CommitMetadata.parse("some tool's note").knowsTopics()).isFalse();
		assertThat(new CommitMetadata(Set.of()).encode()).isEmpty();
	}
}
