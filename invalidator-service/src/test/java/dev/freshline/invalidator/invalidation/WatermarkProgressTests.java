package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.freshline.model.Topics;
import dev.freshline.model.Watermark;

import static org.assertj.core.api.Assertions.assertThat;

/** The waiting clock of {@link WatermarkProgress}, on a clock the test moves. */
class WatermarkProgressTests {

	private static final Duration THRESHOLD = Duration.ofSeconds(10);

	private final Topics topics = new Topics("t");

	private final TopicPartition partition = new TopicPartition(this.topics.changes("patient"), 0);

	private final AtomicLong nanos = new AtomicLong();

	private final WatermarkProgress progress = new WatermarkProgress(this.topics, this.nanos::get);

	@Test
	void shouldReportNothingWhileNoMarkerWasSeen() {
		this.progress.applied(this.partition, 3, watermark(3));
		advance(Duration.ofMinutes(5));

		assertThat(this.progress.stalls(THRESHOLD)).isEmpty();
		assertThat(this.progress.partitionsWithMarkers()).isZero();
	}

	@Test
	void shouldReportAMarkerSeenAndNotAppliedForLongerThanTheThreshold() {
		this.progress.seen(this.partition, 4, watermark(4));
		advance(THRESHOLD);
		assertThat(this.progress.stalls(THRESHOLD)).as("exactly the threshold is not yet a stall").isEmpty();

		advance(Duration.ofMillis(1));
		List<WatermarkProgress.Stall> stalls = this.progress.stalls(THRESHOLD);
		assertThat(stalls).singleElement().satisfies((stall) -> {
			assertThat(stall.partition()).isEqualTo(this.partition);
			assertThat(stall.seen().offset()).isEqualTo(4);
			assertThat(stall.applied()).isNull();
			assertThat(stall.waited()).isEqualTo(THRESHOLD.plusMillis(1));
		});
	}

	@Test
	void shouldKeepTheClockOfTheFirstWaitingMarkerWhileNewerOnesArrive() {
		this.progress.seen(this.partition, 4, watermark(4));
		advance(Duration.ofSeconds(6));
		this.progress.seen(this.partition, 9, watermark(9));
		advance(Duration.ofSeconds(6));

		assertThat(this.progress.stalls(THRESHOLD)).singleElement()
			.satisfies((stall) -> assertThat(stall.seen().offset()).isEqualTo(9));
	}

	@Test
	void shouldRestartTheClockAtEveryAppliedMarkerSoABacklogIsNoStall() {
		this.progress.seen(this.partition, 4, watermark(4));
		this.progress.seen(this.partition, 9, watermark(9));
		advance(Duration.ofSeconds(8));
		this.progress.applied(this.partition, 4, watermark(4));
		advance(Duration.ofSeconds(8));

		assertThat(this.progress.stalls(THRESHOLD)).as("applied 8 s ago, 9 waits since").isEmpty();

		advance(Duration.ofSeconds(3));
		assertThat(this.progress.stalls(THRESHOLD)).singleElement()
			.satisfies((stall) -> assertThat(stall.applied().offset()).isEqualTo(4));

		this.progress.applied(this.partition, 9, watermark(9));
		assertThat(this.progress.stalls(THRESHOLD)).as("caught up").isEmpty();
	}

	@Test
	void shouldNotTakeAMarkerFetchedAgainAfterASeekForANewOne() {
		this.progress.seen(this.partition, 4, watermark(4));
		this.progress.applied(this.partition, 4, watermark(4));
		advance(Duration.ofMinutes(1));
		this.progress.seen(this.partition, 4, watermark(4));
		this.progress.applied(this.partition, 2, watermark(2));

		assertThat(this.progress.stalls(THRESHOLD)).isEmpty();
	}

	@Test
	void shouldCountAnUnreadableMarkerAsWaiting() {
		this.progress.seen(this.partition, 4, null);
		advance(THRESHOLD.plusSeconds(1));

		assertThat(this.progress.stalls(THRESHOLD)).singleElement()
			.satisfies((stall) -> assertThat(stall.seen().watermark()).isNull());
	}

	@Test
	void shouldForgetRevokedPartitions() {
		this.progress.seen(this.partition, 4, watermark(4));
		advance(THRESHOLD.plusSeconds(1));
		this.progress.forget(List.of(this.partition));

		assertThat(this.progress.stalls(THRESHOLD)).isEmpty();
		assertThat(this.progress.partitionsWithMarkers()).isZero();
	}

	@Test
	void shouldIgnoreMarkersOutsideTheChangeTopics() {
		this.progress.seen(new TopicPartition(this.topics.heartbeat(), 0), 4, watermark(4));
		advance(THRESHOLD.plusSeconds(1));

		assertThat(this.progress.stalls(THRESHOLD)).isEmpty();
	}

	private void advance(Duration duration) {
		this.nanos.addAndGet(duration.toNanos());
	}

	private static Watermark watermark(long lsn) {
		return new Watermark(lsn, 1_700_000_000_000L + lsn);
	}
}
