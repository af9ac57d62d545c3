package dev.freshline.ops.flush;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import dev.freshline.cache.CacheCommands;
import dev.freshline.ops.OpsFixture;
import dev.freshline.ops.OpsFixture.Run;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ops flush} against the real shared Redis, a single server and a cluster (every primary flushed). */
@ParameterizedClass(name = "cluster={0}")
@ValueSource(booleans = { false, true })
class FlushCommandIntegrationTests {

	private final OpsFixture fixture;

	FlushCommandIntegrationTests(boolean cluster) {
		this.fixture = new OpsFixture(cluster);
	}

	@AfterEach
	void cleanUp() {
		this.fixture.close();
	}

	@Test
	void shouldRemoveEveryValueLeaseAndFloorOfTheNamespaceOnly() {
		for (int id = 1; id <= 2_500; id++) {
			String key = this.fixture.keys.patient(id);
			this.fixture.redis.opsForValue().set(key, "cached");
			this.fixture.redis.opsForValue().set(this.fixture.keys.floor(key), "3");
		}
		this.fixture.redis.opsForValue().set(this.fixture.keys.formulary(7), "cached");

		Run run = this.fixture.ops("flush", "--namespace", "patient");

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(run.out()).contains("Removed 5,000 keys of namespace patient");
		assertThat(this.fixture.redisKeys()).containsExactly(this.fixture.keys.formulary(7));
	}

	@Test
	void shouldCountAndChangeNothingOnADryRun() {
		this.fixture.redis.opsForValue().set(this.fixture.keys.patient(1), "cached");
		this.fixture.redis.opsForValue().set(this.fixture.keys.lease(this.fixture.keys.patient(1)), "token");
		Map<String, String> before = this.fixture.snapshot();

		Run run = this.fixture.ops("flush", "--namespace", "patient", "--dry-run");

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(run.out()).contains("Dry run: would remove 2 keys matching " + this.fixture.keyPrefix + ":patient:*");
		assertThat(this.fixture.snapshot()).isEqualTo(before);
	}

	@Test
	void shouldInvalidateEveryEntryCarryingATagInItsCanonicalForm() {
		CacheCommands commands = new CacheCommands(this.fixture.connections, this.fixture.keys, Duration.ofMinutes(1), 10,
				Duration.ofSeconds(5));
		String seven = this.fixture.keys.formulary(7);
		String eight = this.fixture.keys.formulary(8);
		commands.register(List.of(this.fixture.keys.tagIndex("hospital:7")), seven, "t1", Duration.ofMinutes(1));
		commands.register(List.of(this.fixture.keys.tagIndex("hospital:8")), eight, "t2", Duration.ofMinutes(1));
		this.fixture.redis.opsForValue().set(seven, "cached");
		this.fixture.redis.opsForValue().set(eight, "cached");

		Run run = this.fixture.ops("flush", "--tag", "hospital:007");

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(run.out()).contains("Invalidated 1 entries tagged hospital:7");
		assertThat(this.fixture.redis.hasKey(seven)).isFalse();
		assertThat(this.fixture.redis.hasKey(eight)).isTrue();
	}

	@Test
	void shouldRefuseAnUnknownNamespaceOrTagAndChangeNothing() {
		this.fixture.redis.opsForValue().set(this.fixture.keys.patient(1), "cached");
		Map<String, String> before = this.fixture.snapshot();

		Run namespace = this.fixture.ops("flush", "--namespace", "nurse");
		Run tag = this.fixture.ops("flush", "--tag", "ward:3");
		Run value = this.fixture.ops("flush", "--tag", "hospital:x*");

		assertThat(namespace.exitCode()).isEqualTo(2);
		assertThat(namespace.err().strip())
			.isEqualTo("ops flush: unknown namespace 'nurse': the rules declare formulary, patient, ward");
		assertThat(tag.exitCode()).isEqualTo(2);
		assertThat(tag.err()).startsWith("ops flush: unknown tag 'ward:3': the rules declare hospital").hasLineCount(1);
		assertThat(value.exitCode()).isEqualTo(2);
		assertThat(value.err()).startsWith("ops flush: malformed tag value in 'hospital:x*'").hasLineCount(1);
		assertThat(this.fixture.snapshot()).isEqualTo(before);
	}

	@Test
	void shouldFailWithOneLineWhenRedisIsUnreachable() {
		Run run = OpsFixture.run(Clock.systemUTC(), "flush", "--namespace", "patient", "--redis-host",
				"127.0.0.1", "--redis-port", "1", "--bootstrap-servers", this.fixture.kafka.bootstrapServers());

		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.err()).startsWith("ops flush: failed: ").hasLineCount(1);
	}
}
