package dev.freshline.invalidator.invalidation;

import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commit metadata's format: what the invalidator writes it reads back, entries it does not
 * know are ignored, and metadata written by anything else names no topic.
 */
class CommitMetadataTests {

	@Test
	void shouldReadBackTheTopicIdsItWrote() {
		CommitMetadata written = new CommitMetadata(Set.of("ueHs3tpzSj2CtJu-uAl2vg", "RGmSCEMFTlCrpsDE1EnuOg"));

		assertThat(written.encode()).isEqualTo("topic-ids=RGmSCEMFTlCrpsDE1EnuOg,ueHs3tpzSj2CtJu-uAl2vg");
		assertThat(CommitMetadata.parse(written.encode())).isEqualTo(written);
	}

	@Test
	void shouldIgnoreEntriesItDoesNotKnow() {
		CommitMetadata read = CommitMetadata.parse("moved-by=ops; topic-ids=RGmSCEMFTlCrpsDE1EnuOg ;x=y");

		assertThat(read.topicIds()).containsExactly("RGmSCEMFTlCrpsDE1EnuOg");
	}

	@Test
	void shouldNameNoTopicWhenWrittenByAnythingElse() {
		assertThat(CommitMetadata.parse(null).knowsTopics()).isFalse();
		assertThat(CommitMetadata.parse("").knowsTopics()).isFalse();
		assertThat(CommitMetadata.parse("some tool's note").knowsTopics()).isFalse();
		assertThat(new CommitMetadata(Set.of()).encode()).isEmpty();
	}
}
