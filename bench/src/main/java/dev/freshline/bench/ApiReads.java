package dev.freshline.bench;

import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.api.sync.RedisCommands;

import dev.freshline.model.CacheKeys;

/**
 * API reads per instance: cache hits beside the no-op endpoint, cache misses beside the
 * Postgres-only endpoint, each measured alone on one instance with the same load. The no-op is
 * measured twice, with the reader token and without one, so that the token check's cost is measured
 * beside the figures it is part of. A miss is forced
 * by deleting the entry's value key from the client before its read (a separate Redis connection,
 * outside the timed request), which the API sees exactly as an invalidation.
 */
final class ApiReads {

	/** Ids the scenarios cycle through: small enough to cache before every hit run in a second. */
	private static final int IDS = 1000;

	/**
	 * @param hitVsNoop hits over the no-op, both with the reader token
	 * @param hitVsAnonymousNoop hits (with the token) over the no-op without one: what the token
	 * check and the cache together cost compared with the bare web stack
	 * @param authNoopCost 1 - (no-op with the token) / (no-op without it): the share of the bare web
	 * stack's throughput the token check takes
	 */
	record Figures(List<ReadLoad.Result> results, double hitVsNoop, double missVsDbOnly, double hitVsAnonymousNoop,
			double authNoopCost, List<String> counterChecks) {
	}

	private final StackProcess stack;

	private final BenchHttp http;

	private final ReadLoad load;

	private final RedisCommands<String, String> redis;

	private final CacheKeys keys;

	ApiReads(StackProcess stack, BenchHttp http, ReadLoad load, RedisCommands<String, String> redis, CacheKeys keys) {
		this.stack = stack;
		this.http = http;
		this.load = load;
		this.redis = redis;
		this.keys = keys;
	}

	Figures run(BenchProgress progress) throws InterruptedException {
		List<ReadLoad.Result> results = new ArrayList<>();
		List<String> checks = new ArrayList<>();
		double hitRatios = 0;
		double missRatios = 0;
		double anonymousRatios = 0;
		double authCosts = 0;
		ReadLoad anonymous = anonymous();
		for (int index = 0; index < 2; index++) {
			String api = this.stack.api(index);
			String management = this.stack.apiManagement(index);
			String instance = "api-" + (index + 1);
			warmUp(api, instance);
			ReadLoad.Result noop = this.load.run("noop", instance, (i) -> api + "/bench/noop", (i) -> {
			});
			ReadLoad.Result anonymousNoop = anonymous.run("anonymous-noop", instance, (i) -> api + "/bench/anonymous-noop",
					(i) -> {
					});
			ReadLoad.Result dbOnly = this.load.run("db-only", instance, (i) -> api + "/bench/db/patients/" + id(i), (i) -> {
			});
			double hits = this.http.counter(management, "freshline.cache.hits");
			double misses = this.http.counter(management, "freshline.cache.misses");
			prefill(api);
			ReadLoad.Result hit = this.load.run("hit", instance, (i) -> api + "/patients/" + id(i), (i) -> {
			});
			double hitMisses = this.http.counter(management, "freshline.cache.misses") - misses;
			double hitHits = this.http.counter(management, "freshline.cache.hits") - hits;
			ReadLoad.Result miss = this.load.run("miss", instance, (i) -> api + "/patients/" + id(i),
					(i) -> this.redis.del(this.keys.patient(id(i))));
			double missMisses = this.http.counter(management, "freshline.cache.misses") - misses - hitMisses;
			double missHits = this.http.counter(management, "freshline.cache.hits") - hits - hitHits;
			checks.add(String.format(java.util.Locale.ROOT,
					"%s: hit scenario counted %.0f hits and %.0f misses; miss scenario counted %.0f misses and %.0f hits",
					instance, hitHits, hitMisses, missMisses, missHits));
			results.addAll(List.of(noop, anonymousNoop, hit, dbOnly, miss));
			hitRatios += hit.readsPerS() / noop.readsPerS();
			missRatios += miss.readsPerS() / dbOnly.readsPerS();
			anonymousRatios += hit.readsPerS() / anonymousNoop.readsPerS();
			authCosts += 1 - noop.readsPerS() / anonymousNoop.readsPerS();
			progress.line("reads on %s: noop %.0f/s, anonymous-noop %.0f/s, hit %.0f/s, db-only %.0f/s, miss %.0f/s", instance,
					noop.readsPerS(), anonymousNoop.readsPerS(), hit.readsPerS(), dbOnly.readsPerS(), miss.readsPerS());
		}
		return new Figures(results, hitRatios / 2, missRatios / 2, anonymousRatios / 2, authCosts / 2, checks);
	}

	/** The same load sending no token: the same HTTP client and connections, only the header is missing. */
	private ReadLoad anonymous() {
		return this.load.reading((url) -> this.http.getWithoutToken(url).statusCode());
	}

	/** One unrecorded pass over every endpoint first, so that no scenario pays for the JIT of another. */
	private void warmUp(String api, String instance) throws InterruptedException {
		prefill(api);
		this.load.run("warm-up", instance, (i) -> api + "/bench/noop", (i) -> {
		});
		anonymous().run("warm-up", instance, (i) -> api + "/bench/anonymous-noop", (i) -> {
		});
		this.load.run("warm-up", instance, (i) -> api + "/bench/db/patients/" + id(i), (i) -> {
		});
		this.load.run("warm-up", instance, (i) -> api + "/patients/" + id(i), (i) -> {
		});
	}

	/** Every entry the hit run reads is cached before it starts, so it measures hits only. */
	private void prefill(String api) throws InterruptedException {
		for (long id = 1; id <= IDS; id++) {
			try {
				this.http.get(api + "/patients/" + id);
			}
			catch (java.io.IOException ex) {
				throw new IllegalStateException("prefill read of patient " + id + " failed: " + ex.getMessage(), ex);
			}
		}
	}

	private static long id(long i) {
		return 1 + (i % IDS);
	}
}
