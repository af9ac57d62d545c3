#!/bin/sh
# docker compose's Redis: renders Freshline's Redis users from the rules the launcher and the tests
# use (cache-protocol/src/main/resources/freshline-redis-users.acl, mounted read-only), the way
# RedisUsers does: {prefix} becomes FRESHLINE_KEY_PREFIX, {password} the SHA-256 of the user's
# REDIS_<USER>_PASSWORD. A user without a password variable is left out (nobody can log in as
# it: compose has no harness). The default user stays off. Then it starts redis-server with the
# given arguments through the image's own entrypoint (which drops root), the ACL file readable
# by Redis only. With --render-only it prints the ACL file instead (RedisUsersScriptTests).
set -eu

rules=${FRESHLINE_REDIS_RULES:-/freshline/freshline-redis-users.acl}
acl=${FRESHLINE_REDIS_ACL:-/run/freshline/users.acl}
prefix=${FRESHLINE_KEY_PREFIX:-freshline}

# the same rule as CacheKeys: nothing that could end the key pattern or add a rule
if ! printf '%s' "$prefix" | grep -Eqx '[a-z0-9][a-z0-9_-]{0,62}'; then
	echo "FRESHLINE_KEY_PREFIX must match [a-z0-9][a-z0-9_-]{0,62}" >&2
	exit 1
fi

umask 077
mkdir -p "$(dirname "$acl")"
grep '^user default ' "$rules" > "$acl"
for user in $(grep '^user ' "$rules" | awk '$2 != "default" { print $2 }'); do
	variable="REDIS_$(printf '%s' "$user" | tr '[:lower:]' '[:upper:]')_PASSWORD"
	password=$(printenv "$variable" || true)
	if [ -z "$password" ]; then
		continue
	fi
	hash=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)
	grep "^user $user " "$rules" | sed -e "s/{prefix}/$prefix/g" -e "s/{password}/#$hash/" >> "$acl"
done

if [ "${1:-}" = "--render-only" ]; then
	cat "$acl"
	exit 0
fi
if [ "$(id -u)" = "0" ] && id redis >/dev/null 2>&1; then
	chown redis "$(dirname "$acl")" "$acl"
fi
exec docker-entrypoint.sh redis-server "$@" --aclfile "$acl"
