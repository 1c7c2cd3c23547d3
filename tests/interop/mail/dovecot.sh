# Dovecot 2.3 for the mail interop scripts (sourced, from the top of the
# tree): Debian's settings the issue names, the scenario's users from a
# passwd-file, Maildir; in the caller's network namespace $ns, under $tmp,
# its mailboxes owned by $owner.

# start_dovecot S.json ADDRESS: Dovecot with S's mail node's users and
# mailboxes, listening on ADDRESS in the namespace; sets server and pid
start_dovecot() {
    server=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(n["id"] for n in d["nodes"] if n.get("role") == "mail" and n.get("mailboxes")))' "$1")
    users=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); n=next(n for n in d["nodes"] if n["id"] == sys.argv[2]); print(" ".join(u + ":" + v["password"] for u, v in n["users"].items()))' "$1" "$server")
    rm -rf "$tmp/run" && mkdir -p "$tmp/run/mail" "$tmp/run/state"
    : > "$tmp/run/users"
    for up in $users; do
        u=${up%%:*}
        echo "$u:{PLAIN}${up#*:}:${owner}::$tmp/run/mail/$u" >> "$tmp/run/users"
    done
    python3 tests/interop/mail/dovecot_session.py seed "$1" "$server" "$tmp/run/mail"
    chown -R "$owner" "$tmp/run/mail"
    cat > "$tmp/run/dovecot.conf" << CONF
base_dir = $tmp/run/base
state_dir = $tmp/run/state
log_path = $tmp/run/dovecot.log
protocols = pop3 imap
listen = $2
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = $tmp/run/users
}
userdb {
  driver = passwd-file
  args = $tmp/run/users
}
CONF
    ip netns exec "$ns" dovecot -c "$tmp/run/dovecot.conf" || return 1
    sleep 1
    pid=$(cat "$tmp/run/base/master.pid")
}

stop_dovecot() {
    kill "$pid"
    sleep 1
    pid=
}
