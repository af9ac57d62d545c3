package dev.freshline.cache;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The {@link LuaScripts} as Spring Data Redis scripts, each with its SHA1 computed once, so every
 * command class sends the same objects by EVALSHA instead of keeping a copy of its own. Arguments
 * go over the wire as UTF-8 text, which is what the scripts' {@code tonumber} expects.
 */
final class ProtocolScripts {

	@SuppressWarnings({ "rawtypes", "unchecked" })
	static final RedisScript<List<Object>> READ = (RedisScript) new DefaultRedisScript<>(LuaScripts.READ, List.class);

	static final RedisScript<Long> FILL = new DefaultRedisScript<>(LuaScripts.FILL, Long.class);

	static final RedisScript<Long> RELEASE = new DefaultRedisScript<>(LuaScripts.RELEASE, Long.class);

	static final RedisScript<Long> REGISTER = new DefaultRedisScript<>(LuaScripts.REGISTER, Long.class);

	static final RedisScript<Long> INVALIDATE = new DefaultRedisScript<>(LuaScripts.INVALIDATE, Long.class);

	@SuppressWarnings({ "rawtypes", "unchecked" })
	static final RedisScript<List<Object>> INSPECT = (RedisScript) new DefaultRedisScript<>(LuaScripts.INSPECT, List.class);

	private ProtocolScripts() {
	}

	/** The script's text, for SCRIPT LOAD when Redis forgot it. */
	static byte[] text(RedisScript<?> script) {
		return bytes(script.getScriptAsString());
	}

	static byte[] bytes(Object value) {
		return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
	}
}
