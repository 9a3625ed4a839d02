# Shared by scripts/install-*.sh (sourced, not run): pushguard_install runs
# "pushguard install" with the binary, configuration and --force taken from
# PUSHGUARD_BIN, PUSHGUARD_CONFIG and FORCE.

pushguard_bin=${PUSHGUARD_BIN:-}
if [ -z "$pushguard_bin" ]; then
	if [ -x /usr/local/bin/pushguard ]; then
		pushguard_bin=/usr/local/bin/pushguard
	else
		pushguard_bin=$(command -v pushguard) || {
			echo "pushguard not found: install it (e.g. /usr/local/bin/pushguard) or set PUSHGUARD_BIN" >&2
			exit 2
		}
	fi
fi

pushguard_install() {
	if [ -n "${PUSHGUARD_CONFIG:-}" ]; then
		set -- "$@" --config "$PUSHGUARD_CONFIG"
	fi
	if [ "${FORCE:-0}" = 1 ]; then
		set -- "$@" --force
	fi
	"$pushguard_bin" install --binary "$pushguard_bin" "$@"
}
