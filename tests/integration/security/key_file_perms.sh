#!/usr/bin/env bash
# The key file's permissions, as ssh judges private keys: a key file
# writable by group or others (0620, 0602, 0666) is refused with exit 78 and
# the chmod that fixes it, before any request; one owned by another user
# (not us, not root) is refused with exit 78 too (advice to chmod a file we
# cannot change would be useless). Readable by others (0644) still only
# warns, and the key is used.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/other_user.sh
source "$(dirname "$0")/../lib/other_user.sh"

KEY=sk-ant-test-key-file-perms-Kp00001
start_mock '{"default": {"text": "used"}}'
for mode in 620 602 666 660 622; do
    for cmd in ask status; do
        setup_pool "only $KEY"
        chmod "$mode" "$KEYS"
        if [[ $cmd == ask ]]; then
            run_pool ask "hi"
        else
            run_bridge keys status --key-file "$KEYS" --state "$STATE"
        fi
        expect_rc 78
        expect_out_empty
        expect_err_contains "writable by group or others"
        expect_err_contains "chmod 600 $KEYS"
        expect_err_not_contains "$KEY"
    done
done
expect_requests 0

setup_pool "only $KEY"
chmod 644 "$KEYS"
run_pool ask "hi"
expect_rc 0
expect_out_eq "used"
expect_err_contains "readable by group or others"

if make_other_user; then
    setup_pool "only $KEY"
    chown "$OTHER_UID:$OTHER_GID" "$KEYS"
    chmod 600 "$KEYS"
    run_pool ask "hi"
    expect_rc 78
    expect_err_contains "belongs to another user (uid $OTHER_UID)"
    expect_err_not_contains "chmod 600"
    expect_requests 1 # only the 0644 run above
    # Root's file is as good as our own (root could change ours anyway).
    chown 0:0 "$KEYS"
    run_pool ask "hi"
    expect_rc 0
else
    echo "skipped: a key file owned by another user (needs root to make one)"
fi
echo "security_key_file_perms passed"
