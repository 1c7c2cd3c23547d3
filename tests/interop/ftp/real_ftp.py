#!/usr/bin/env python3
"""FTP interop: real vsftpd 3.0.3 and tnftp against minet's server and ftp.

Run by tests/run_interop_ftp.sh inside `unshare -n -m` (a network and a
mount namespace of its own): /etc/passwd, /etc/shadow and /etc/group are
copies with the scenario's users bind-mounted over the real ones, /home is
a tmpfs with the scenario's files, vsftpd runs on 127.0.0.1 with its own
configuration (Debian's, plus write_enable=YES and the passive ports) and
is stopped by its PID.  Nothing outside the namespaces changes.

  real_ftp.py MINET OUTDIR

For each dialogue in DIALOGUES the control-connection replies of the real
server (spoken to over a socket, line by line, waiting for each reply) must
equal minet's (the same lines typed into telnet); for each client session
in SESSIONS, what the real ftp prints in a pseudo-terminal must equal what
minet's ftp prints (and in VARIANTS the same against a server configured
otherwise: anonymous logins into /srv/ftp, ASCII conversion); for each case
in ABORS, the replies to ABOR sent while a RETR runs must be the same; for each command line in CURLS, what the real curl
prints in a pseudo-terminal (and its exit status) must equal what minet's
curl printed (its console records in the trace, with their CRs).  Masked on both sides: listing dates, MDTM times,
passive ports, the client's address and user in prompts, transfer rates.
Exit status 1 on any difference (both sides are kept in OUTDIR)."""
import json
import os
import pty
import re
import select
import shutil
import socket
import subprocess
import sys
import time

USERS = {"alice": ("wonderland", 1000), "bob": ("builder", 1001)}
FILES = {
    "/home/alice/notes.txt": "hello\nworld\n",
    "/home/alice/my notes.txt": "spaces\n",
    "/home/alice/pub/paper.txt": "paper\n",
    "/home/bob/b.txt": "bob\n",
}
LAPTOP_FILES = {"up.txt": "one\ntwo\n", "empty.txt": ""}

LOGIN = ["USER alice", "PASS wonderland"]
DIALOGUES = {
    "before_login": ["SYST", "LIST", "PWD", "PASS x", "FEAT", "OPTS UTF8 ON", "USER alice",
                     "PASS wrong", "USER alice", "PASS wrong", "USER alice", "PASS wrong"],
    "after_login": LOGIN + [
        "USER bob", "PASS x", "SYST", "PWD", "XPWD", "TYPE A", "TYPE I", "TYPE L 8", "TYPE X",
        "MODE S", "MODE B", "STRU F", "STRU R", "NOOP", "ALLO 5", "REIN", "ACCT x", "SMNT x",
        "SITE x", "FOO", "OPTS x", "SIZE notes.txt", "SIZE pub", "SIZE nothere",
        "MDTM notes.txt", "MDTM pub", "LIST", "RETR notes.txt", "STOR x", "ABOR", "REST 5",
        "RNTO x", "EPSV 2", "PORT 1,2,3", "PORT 10,0,0,99,4,1", "EPRT |2|::1|5000|", "EPRT x",
        "STAT", "HELP", "PORT 10,0,0,10,0,25", "PORT 10,0,0,10,0,0", "EPRT |1|10.0.0.10|21|",
        "REST 99999999999999999999", "REST 12abc", "REST -5", "REST", "REST 123456789012345",
        "EPSV ALL", "PORT 10,0,0,10,4,1", "PASV", "QUIT"],
    "paths": LOGIN + [
        "CWD pub", "PWD", "CWD ..", "CDUP", "PWD", "CDUP", "CDUP", "PWD",
        "CWD /home/alice/pub/", "PWD", "CWD /nothere", "CWD",
        "SIZE /home/alice/my notes.txt", "SIZE ../my notes.txt", "MKD new dir", "RMD new dir",
        "MKD /home/bob/x", "DELE /home/bob/b.txt", "RNFR paper.txt",
        "RNTO /home/alice/paper.txt", "SIZE /home/alice/paper.txt", "STAT /home/alice",
        "DELE ../paper.txt", "DELE ../paper.txt", "RMD /home/alice", "QUIT"],
    # vsftpd's resolve_tilde: ~ and ~/... start at the login's home, ~bob
    # and ~x are plain names
    "tilde": LOGIN + [
        "CWD pub", "CWD ~", "PWD", "CWD ~/pub", "PWD", "CWD ~bob", "CWD ~/", "PWD", "CWD ~pub",
        "SIZE ~/notes.txt", "MDTM ~/pub/paper.txt", "SIZE ~", "MKD ~/x", "RMD ~/x", "MKD ~",
        "RNFR ~/notes.txt", "RNTO ~/n.txt", "SIZE ~/n.txt", "DELE ~/n.txt", "STAT ~/pub",
        "STAT ~", "CDUP", "STAT ~/*.txt", "QUIT"],
}
SESSIONS = {
    "client": ["alice", "wonderland", "pwd", "ls", "ls pub", "get notes.txt", "put up.txt",
               "passive", "ls", "get notes.txt n2.txt", "epsv4", "ls", "binary", "ascii",
               "size notes.txt", "size nothere", "mkdir sub", "cd sub", "cdup", "rmdir sub",
               "rename up.txt up2.txt", "delete up2.txt", "get nothere", "cd nothere",
               "put nofile", "foo", "status", "close", "ls", "pwd", "open 127.0.0.1",
               "alice", "wonderland", "bye"],
    # a zero-byte file both ways: tnftp draws no bar for it
    "zero_bytes": ["alice", "wonderland", "put empty.txt", "get empty.txt e2.txt", "passive",
                   "get empty.txt e3.txt", "put empty.txt e4.txt", "ls", "bye"],
    # an open quote runs to the end of the line (tnftp's makeargv)
    "open_quote": ["alice", "wonderland", "ls \"pub", "cd \"pub", "pwd", "foo \"x", "bye"],
    "login_failed": ["alice", "nope", "user alice wonderland", "pwd", "bye"],
    # what tnftp does between a failed login and the next: commands the
    # server refuses, a second wrong password, then the right one
    # (a transfer tries EPSV quietly, PASV, then active mode for good: PORT,
    # and the first refused PORT ends in "Can't bind"; a get right after a
    # transfer that could not start sends nothing; the third wrong password
    # ends the session)
    "login_failed_then": ["alice", "nope", "pwd", "ls", "get notes.txt", "cd pub", "put up.txt",
                          "user alice nope2", "user bob", "", "user alice wonderland", "ls",
                          "bye"],
    # a get first; passive mode back on; EPSV tried again after epsv4 twice
    "login_failed_get": ["alice", "nope", "get notes.txt", "ls", "status", "passive",
                         "get notes.txt", "status", "passive", "user alice wonderland", "ls",
                         "epsv4", "epsv4", "ls", "get notes.txt", "bye"],
    "mget_mput": ["alice", "wonderland", "mget *.txt", "n", "y", "mput up*", "y", "prompt",
                  "mget notes.txt", "mget pub/*", "a", "bye"],
    # local names that cannot be written or read: a folder, a missing one, a
    # file named as a folder
    "local_paths": ["alice", "wonderland", "get notes.txt .", "get notes.txt nodir/x",
                    "get notes.txt up.txt/", "put up.txt/", "put nodir/../up.txt",
                    "get notes.txt new/", "put nofile/", "get notes.txt up.txt/../n3.txt",
                    "ls", "bye"],
    # ~ in the paths of transfers and listings (vsftpd expands it)
    "tilde_session": ["alice", "wonderland", "cd pub", "ls ~", "get ~/notes.txt t.txt",
                      "put up.txt ~/u.txt", "size ~/u.txt", "ls ~/pub", "cd ~", "pwd", "bye"],
    # on and off for each toggle; help for one command, an unknown one, an
    # ambiguous one
    "toggles": ["alice", "wonderland", "passive on", "passive on", "passive off",
                "passive auto", "passive x", "passive on off", "prompt on", "prompt OFF",
                "prompt x", "status", "epsv4 off", "epsv4 on", "epsv4 x", "help get", "help foo",
                "help g", "help get put ls", "help site", "? cd", "he disconnect", "bye"],
    # a missing argument is asked for ("(remote-file) "), the answer completes
    # the line; no answer is the usage, end of input aborts the command
    "missing_args": ["alice", "wonderland", "get", "notes.txt", "n1.txt", "get",
                     "notes.txt", "", "get", "", "recv", "notes.txt n2.txt", "put", "up.txt",
                     "", "put", "up.txt", "u2.txt", "send", "", "cd", "pub", "cd", "", "cd a b",
                     "pwd", "mkdir", "", "rmdir", "", "delete", "", "size", "", "size",
                     "../notes.txt", "size a b", "rename", "", "rename", "u2.txt", "",
                     "rename", "u2.txt", "u3.txt", "user", "", "mget", "", "mput", "",
                     "ls a b c", "get", "^D", "cd", "^D", "pwd", "bye"],
    # tnftp's makeargv: "..." and \ quote, ' is an ordinary character, an
    # empty "" ends the line's words
    "quotes": ["alice", "wonderland", "get 'notes.txt'", "get \"my notes.txt\" m.txt",
               "get my\\ notes.txt m2.txt", "size my\" notes.txt\"", "cd \"\" pub", "pwd",
               "bye"],
}

# sessions of `ftp -OPTIONS HOST`: (its options, its input)
OPTIONED = {
    # -n: no Name: and Password: after connecting; lcd moves ftp's own
    # working folder (get stores there), not the terminal's
    "no_autologin": (["-n"], ["pwd", "user alice wonderland", "lcd", "get notes.txt",
                              "lcd /nosuch", "lcd up.txt", "lcd a b", "bye"]),
    "options": (["-i", "-A"], ["alice", "wonderland", "ls", "mget *.txt", "bye"]),
}

# sessions of `ftp` started without a host
OFFLINE = {
    "offline": ["status", "get", "user", "open", "127.0.0.1", "alice", "wonderland", "status",
                "close", "status", "open", "", "open", "^D", "bye"],
}

# sessions against a server configured otherwise: (vsftpd.conf lines, the
# minet server's keys, ftp's input)
ANON_FILES = {"/srv/ftp/readme.txt": "welcome\n", "/srv/ftp/pub/list.txt": "a\nb\n"}
VARIANTS = {
    "anonymous": ("anonymous_enable=YES\n", {"anonymous": True},
                  ["anonymous", "guest@example.com", "pwd", "ls", "cd pub", "ls", "cd /",
                   "cd ..", "pwd", "get readme.txt", "put up.txt", "mkdir x", "delete readme.txt",
                   "cd /home/alice", "cd ~/pub", "pwd", "cd ~", "pwd", "status", "bye"]),
    # the server ends an idle session while the client sits at its prompt
    # (vsftpd's idle_session_timeout: 300 s in minet, 2 s for the real one;
    # a pair is (line, seconds the real side waits first, minet's "at"))
    "idle_421": ("idle_session_timeout=2\n", {},
                 ["alice", "wonderland", ("ls", 4, "320s"), "pwd", "bye"]),
    "idle_421_pwd": ("idle_session_timeout=2\n", {},
                     ["alice", "wonderland", ("pwd", 4, "320s"), "ls", "status", "bye"]),
    "idle_421_bye": ("idle_session_timeout=2\n", {}, ["alice", "wonderland", ("bye", 4, "320s")]),
    "ascii": ("ascii_upload_enable=YES\nascii_download_enable=YES\n", {"ascii": True},
              ["alice", "wonderland", "ascii", "get notes.txt", "put up.txt", "size up.txt",
               "binary", "size up.txt", "get notes.txt n2.txt", "get up.txt u2.txt", "ascii",
               "get up.txt u3.txt", "bye"]),
}

# curl's ftp:// (127.0.0.1 here, 10.0.0.21 in minet): each command line alone
URL = "ftp://alice:wonderland@127.0.0.1"
CURLS = {
    "curl_list": ["-v", URL + "/"],
    "curl_list_sub": ["-v", URL + "/pub/"],
    "curl_get": ["-v", URL + "/notes.txt"],
    "curl_get_sub": ["-v", URL + "/pub/paper.txt"],
    "curl_get_o": ["-v", "-o", "n.txt", URL + "/notes.txt"],
    "curl_put": ["-v", "-T", "up.txt", URL + "/"],
    "curl_put_name": ["-v", "-T", "up.txt", URL + "/pub/x.txt"],
    "curl_space": ["-v", URL + "/my%20notes.txt"],
    "curl_plain": [URL + "/notes.txt"],
    "curl_plain_o": ["-o", "n.txt", URL + "/notes.txt"],
    "curl_silent": ["-s", URL + "/"],
    "curl_pasv": ["-v", "--disable-epsv", URL + "/pub/paper.txt"],
    "curl_pasv_list": ["--disable-epsv", URL + "/pub/"],
    "curl_nothere": ["-v", URL + "/nothere"],
    "curl_nodir": ["-v", URL + "/nodir/x.txt"],
    "curl_badpw": ["-v", "ftp://alice:wrong@127.0.0.1/"],
    "curl_refused": ["-v", "ftp://alice:wonderland@127.0.0.1:2121/"],
}

# ABOR while a RETR runs (vsftpd with Debian's async_abor_enable=NO reads no
# command during a transfer): the client reads the whole file, or closes the
# data connection mid-file.  Deterministic on both sides: the real file
# (200 MB, sparse) is far more than the loopback's socket buffers hold, so a
# client that closes unread always meets a running transfer; minet's file
# (1 MB over 1 Mbit/s: 8 s) runs while ABOR is typed.  Replies are compared,
# the file's size in 150 masked.
ABOR_LINES = LOGIN + ["TYPE I", "EPSV", "RETR big.bin", "ABOR", "NOOP", "QUIT"]
ABORS = {"abor_read_all": False, "abor_close_data": True}

CONF = """listen=YES
listen_ipv6=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
dirmessage_enable=YES
use_localtime=YES
xferlog_enable=NO
connect_from_port_20=YES
secure_chroot_dir=/var/run/vsftpd/empty
pam_service_name=vsftpd
ssl_enable=NO
pasv_min_port=50000
pasv_max_port=50100
background=NO
"""


def sh(*args):
    subprocess.run(args, check=True)


def setup(tmp):
    for name in ("passwd", "shadow", "group"):
        shutil.copy("/etc/" + name, os.path.join(tmp, name))
    with open(os.path.join(tmp, "passwd"), "a") as p, \
            open(os.path.join(tmp, "shadow"), "a") as s, \
            open(os.path.join(tmp, "group"), "a") as g:
        for user, (pw, uid) in USERS.items():
            h = subprocess.run(["openssl", "passwd", "-6", pw], check=True,
                               capture_output=True, text=True).stdout.strip()
            p.write(f"{user}:x:{uid}:{uid}::/home/{user}:/bin/bash\n")
            s.write(f"{user}:{h}:19000:0:99999:7:::\n")
            g.write(f"{user}:x:{uid}:\n")
    for name in ("passwd", "shadow", "group"):
        sh("mount", "--bind", os.path.join(tmp, name), "/etc/" + name)
    # a folder on disk, not a tmpfs: a folder's size is then 4096, as vsftpd lists it
    home = os.path.join(tmp, "home")
    os.makedirs(home, exist_ok=True)
    sh("mount", "--bind", home, "/home")
    # anonymous FTP's root, as Debian's vsftpd package makes it (root:ftp, 0755)
    srv = os.path.join(tmp, "srv_ftp")
    os.makedirs(srv, exist_ok=True)
    sh("mount", "--bind", srv, "/srv/ftp")
    os.makedirs("/var/run/vsftpd/empty", exist_ok=True)
    sh("ip", "link", "set", "lo", "up")
    conf = os.path.join(tmp, "vsftpd.conf")
    with open(conf, "w") as f:
        f.write(CONF)
    return conf


def reset_files(local):
    for d in os.listdir("/home"):
        shutil.rmtree(os.path.join("/home", d))
    for user, (_, uid) in USERS.items():
        os.makedirs(f"/home/{user}")
    for path, text in FILES.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    for user, (_, uid) in USERS.items():
        for root, dirs, files in os.walk(f"/home/{user}"):
            for n in dirs + files + [""]:
                os.chown(os.path.join(root, n) if n else root, uid, uid)
    os.chmod("/home", 0o755)
    for d in os.listdir("/srv/ftp"):
        shutil.rmtree(os.path.join("/srv/ftp", d), ignore_errors=True)
        if os.path.exists(os.path.join("/srv/ftp", d)):
            os.remove(os.path.join("/srv/ftp", d))
    for path, text in ANON_FILES.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    os.chmod("/srv/ftp", 0o755)
    shutil.rmtree(local, ignore_errors=True)
    os.makedirs(local)
    for name, text in LAPTOP_FILES.items():
        with open(os.path.join(local, name), "w") as f:
            f.write(text)


def start_vsftpd(conf):
    p = subprocess.Popen(["/usr/sbin/vsftpd", conf])
    for _ in range(50):  # listening on port 21 (0x15)? Without connecting: no session
        with open("/proc/net/tcp") as f:
            if any(l.split()[1].endswith(":0015") and l.split()[3] == "0A" for l in f
                   if l.strip() and not l.startswith("  sl")):
                return p
        time.sleep(0.1)
    p.kill()
    sys.exit("interop-ftp: vsftpd did not start")


def read_reply(s):
    """One whole reply (multi-line ones to their last line)."""
    buf = b""
    code = None
    deadline = time.time() + 5
    while time.time() < deadline:
        lines = buf.split(b"\r\n")
        for i, l in enumerate(lines[:-1]):
            if i == 0 and len(l) >= 4 and l[3:4] == b"-":
                code = l[:3]
            if code is None and len(l) >= 4 and l[:3].isdigit() and l[3:4] == b" ":
                return buf
            if code is not None and l[:3] == code and l[3:4] == b" ":
                return buf
        r, _, _ = select.select([s], [], [], 0.1)
        if r:
            d = s.recv(65536)
            if not d:
                return buf
            buf += d
    return buf


def real_dialogue(lines):
    s = socket.create_connection(("127.0.0.1", 21))
    out = read_reply(s)
    for l in lines:
        s.sendall(l.encode() + b"\r\n")
        out += read_reply(s)
    s.close()
    return out.decode(errors="replace").replace("\r\n", "\n")


def real_abor(close):
    """The real side of an ABOR case: replies to ABOR_LINES, with the data
    connection read to its end (close False) or closed after its first
    bytes (True) once ABOR is sent."""
    with open("/home/alice/big.bin", "wb") as f:
        f.truncate(200 << 20)
    os.chown("/home/alice/big.bin", USERS["alice"][1], USERS["alice"][1])
    s = socket.create_connection(("127.0.0.1", 21))
    out = read_reply(s)
    d = None
    for l in ABOR_LINES:
        s.sendall(l.encode() + b"\r\n")
        if l == "ABOR":
            if close:
                d.close()
            else:
                while d.recv(1 << 20):
                    pass
                d.close()
        if l.startswith("RETR"):
            d.recv(1024)  # the file's first bytes: the transfer runs
        r = read_reply(s)
        out += r
        if l == "EPSV":
            m = re.search(rb"\(\|\|\|(\d+)\|\)", r)
            d = socket.create_connection(("127.0.0.1", int(m.group(1))))
    # replies can straggle behind the command they were read after: all of
    # them, to 221 and the server's close
    s.settimeout(5)
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    return out.decode(errors="replace").replace("\r\n", "\n")


def minet_abor(binary, tmp, name, close):
    """minet's side: telnet types ABOR_LINES (one a second, ABOR at 7 s), nc
    takes the data connection at 5.5 s, before RETR, and with close is
    interrupted 2.5 s later (its input's times count from its start), at
    8 s: mid-file."""
    nc = {"at": "5.5s", "on": "laptop", "run": "nc 10.0.0.21 50023 > /dev/null", "terminal": 2}
    if close:
        nc["input"] = [{"at": "2.5s", "text": "^C"}]
    sc = scenario({"at": "1s", "on": "laptop", "run": "telnet 10.0.0.21 21",
                   "input": ABOR_LINES})
    sc["script"].append(nc)
    sc["nodes"][1]["files"]["/home/alice/big.bin"] = "x" * (1 << 20)
    sc["links"][0]["bandwidth"] = "1Mbit"
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as f:
        json.dump(sc, f)
    r = subprocess.run([binary, "run", path, "--quiet"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"interop-ftp: minet failed on {path}: {r.stderr}")
    return r.stdout


def real_session(lines, local, host=True, opts=()):
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(local)
        os.environ["HOME"] = local  # lcd alone goes there: the laptop user's home in minet
        os.execvp("ftp", ["ftp", *opts, "127.0.0.1"] if host else ["ftp"])
    out = b""

    def pump(t):
        nonlocal out
        end = time.time() + t
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    d = os.read(fd, 65536)
                except OSError:
                    return False
                if not d:
                    return False
                out += d
        return True
    def prompted():
        tail = out.decode(errors="replace")
        return (tail.endswith(("ftp> ", "Password: ", "[anpqy?]? "))
                or re.search(r"(Name \([^)]*\): |\([a-z -]+\) )$", tail))

    def wait_prompt(limit):
        end = time.time() + limit
        while time.time() < end and not prompted():
            if not pump(0.1):
                return False
        return pump(0.2)  # and nothing after it
    wait_prompt(5)
    for l in lines:
        if isinstance(l, tuple):
            pump(l[1])
            l = l[0]
        os.write(fd, b"\x04" if l == "^D" else (l + "\n").encode())
        pump(0.3)
        if not wait_prompt(5):
            break
    pump(0.5)
    os.waitpid(pid, 0)
    text = out.decode(errors="replace").replace("\r\n", "\n")
    # the progress bar's lines: what the terminal shows last
    return "\n".join(l.split("\r")[-1] for l in text.split("\n"))


def real_curl(args, local):
    """What curl prints in a pseudo-terminal, and its exit status."""
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(local)
        os.execvp("curl", ["curl"] + args)
    out = b""
    end = time.time() + 10
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                d = os.read(fd, 65536)
            except OSError:
                break
            if not d:
                break
            out += d
    _, st = os.waitpid(pid, 0)
    # the terminal's CR before each LF is the pty's own
    return out.decode(errors="replace").replace("\r\n", "\n"), os.waitstatus_to_exitcode(st)


def mask_curl(text):
    """Ports, dates, times and speeds; and curl's "ftp_perform ends" line,
    whose place before or after the EPSV (or CWD) reply depends on how fast
    the real server answers (minet's network always takes time: after)."""
    text = re.sub(r"[A-Z][a-z]{2} [ 0-9]\d (?: \d{4}|\d\d:\d\d)", "DATE", text)
    text = re.sub(r"\(\|\|\|\d+\|\)", "(|||PORT|)", text)
    text = re.sub(r"Passive Mode \([\d,]+\)", "Passive Mode (ADDR)", text)
    text = re.sub(r"port 5\d{4}\b", "port PORT", text)
    text = re.sub(r"127\.0\.0\.1:5\d{4}", "127.0.0.1:PORT", text)
    text = re.sub(r"after \d+ ms", "after N ms", text)
    # the meter: the speeds and times vary.  A drawing is followed by no
    # newline, so the next line may start right after its last field
    # ("0< 257 ..."): the fields are matched exactly, never into that line.
    speed, clock = r"[\d.]+[kMGTP]?", r"[-\d:]+"
    text = re.sub(r"(\r\s*\d+\s+\S+\s+\d+\s+\S+\s+\d+\s+\S+)" +
                  (r"\s+" + speed) * 2 + (r"\s+" + clock) * 3 + r"\s+" + speed,
                  r"\1 SPEEDS", text)
    text = "\n".join(l for l in text.split("\n") if l != "* ftp_perform ends with SECONDARY: 0")
    # redraws of the meter between its first and last drawing fall where
    # the wall clock's second changes: only those two are compared
    draws = list(re.finditer(r"\r[^\r\n]* SPEEDS", text))
    for m in reversed(draws[1:-1] if len(draws) > 2 else []):
        text = text[:m.start()] + text[m.end():]
    return text


def minet_curl(binary, tmp, name, line):
    """What minet's curl printed (raw, from the trace), and its status."""
    path = os.path.join(tmp, name + ".json")
    trace = os.path.join(tmp, name + ".jsonl")
    with open(path, "w") as f:
        json.dump(scenario({"at": "1s", "on": "laptop", "run": line}), f)
    r = subprocess.run([binary, "run", path, "--trace", trace], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"interop-ftp: minet failed on {path}: {r.stderr}")
    out, status = "", None
    with open(trace) as f:
        for rec in (json.loads(l) for l in f if '"kind":"console"' in l):
            if rec.get("stream") in ("stdout", "stderr"):
                out += rec["text"]
            elif rec.get("stream") == "exit":
                status = rec.get("status")
    return out, status


def scenario(script, server=None):
    files = dict(FILES)
    if server and server.get("anonymous"):
        files.update(ANON_FILES)
    return {
        "minet": 1, "title": "interop", "seed": 1,
        "nodes": [
            {"id": "laptop", "role": "host", "ip": "10.0.0.10/24", "user": "alice",
             "files": {"/home/alice/" + k: v for k, v in LAPTOP_FILES.items()}},
            {"id": "server", "role": "ftp", "ip": "10.0.0.21/24",
             "users": {u: {"password": pw} for u, (pw, _) in USERS.items()},
             "files": files, **(server or {})}],
        "links": [{"between": ["laptop", "server"], "latency": "1ms"}],
        "script": [script]}


def minet(binary, tmp, name, script, server=None):
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as f:
        json.dump(scenario(script, server), f)
    r = subprocess.run([binary, "run", path, "--quiet"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"interop-ftp: minet failed on {path}: {r.stderr}")
    return r.stdout


def mask(text):
    text = re.sub(r"[A-Z][a-z]{2} [ 0-9]\d (?: \d{4}|\d\d:\d\d)", "DATE", text)
    text = re.sub(r"\b213 \d{14}\b", "213 MDTM", text)
    text = re.sub(r"\(\|\|\|\d+\|\)", "(|||PORT|)", text)
    text = re.sub(r"Passive Mode \([\d,]+\)", "Passive Mode (ADDR)", text)
    text = re.sub(r"(\s+|\()\d+\.\d\d [KMGT]?iB/s",
                  lambda m: ("(" if m.group(1) == "(" else " ") + "RATE", text)
    text = re.sub(r"Connected to \S+\n", "Connected to HOST\n", text)
    text = re.sub(r"Connected and logged into \S+\n", "Connected and logged into HOST\n", text)
    text = re.sub(r"Name \([^)]*\): ", "Name (HOST:USER): ", text)
    text = re.sub(r"^     Connected to \S+$", "     Connected to ADDR", text, flags=re.M)
    text = re.sub(r"Already connected to \S+,", "Already connected to HOST,", text)
    return text


def wanted(name):
    """INTEROP_ONLY=a,b runs only those cases (all when it is unset)."""
    only = os.environ.get("INTEROP_ONLY")
    return not only or name in only.split(",")


def main():
    binary, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    tmp = os.path.join(outdir, "work")
    os.makedirs(tmp, exist_ok=True)
    conf = setup(tmp)
    local = os.path.join(tmp, "local")
    fail = 0
    n = 0
    for name, lines in ((k, v) for k, v in DIALOGUES.items() if wanted(k)):
        reset_files(local)
        p = start_vsftpd(conf)
        try:
            real = real_dialogue(lines)
        finally:
            p.kill()
            p.wait()
        script = {"at": "1s", "on": "laptop", "run": "telnet 10.0.0.21 21", "input": lines}
        ours = minet(binary, tmp, name, script)
        head = "Trying 10.0.0.21...\nConnected to 10.0.0.21.\nEscape character is '^]'.\n"
        ours = ours.split("\n", 1)[1]  # the command line
        ours = ours[len(head):] if ours.startswith(head) else ours
        typed = set(lines)
        ours = "\n".join(l for l in ours.split("\n")
                         if l not in typed and l != "Connection closed by foreign host.")
        n += 1
        if mask(real).rstrip("\n") != mask(ours).rstrip("\n"):
            fail = 1
            print(f"FAIL interop-ftp {name}: vsftpd and minet answer differently")
        for side, text in (("real", real), ("minet", ours)):
            with open(os.path.join(outdir, f"{name}.{side}"), "w") as f:
                f.write(mask(text))
    for name, close in ((k, v) for k, v in ABORS.items() if wanted(k)):
        reset_files(local)
        p = start_vsftpd(conf)
        try:
            real = real_abor(close)
        finally:
            p.kill()
            p.wait()
        ours = minet_abor(binary, tmp, name, close)
        # the replies alone: telnet's own lines, what was typed and the
        # second terminal's nc go (its ^C is shown without a line end)
        ours = "\n".join(l for l in (l.replace("^C", "") for l in ours.split("\n"))
                         if re.match(r"\d{3}[ -]", l))
        real, ours = (re.sub(r"\(\d+ bytes\)", "(SIZE bytes)", mask(t)) for t in (real, ours))
        n += 1
        if real.rstrip("\n") != ours.rstrip("\n"):
            fail = 1
            print(f"FAIL interop-ftp {name}: vsftpd and minet answer ABOR differently")
        for side, text in (("real", real), ("minet", ours)):
            with open(os.path.join(outdir, f"{name}.{side}"), "w") as f:
                f.write(text)
    sessions = [(name, lines, "", None, True, ()) for name, lines in SESSIONS.items()]
    sessions += [(name, lines, extra, server, True, ())
                 for name, (extra, server, lines) in VARIANTS.items()]
    sessions += [(name, lines, "", None, True, opts)
                 for name, (opts, lines) in OPTIONED.items()]
    sessions += [(name, lines, "", None, False, ()) for name, lines in OFFLINE.items()]
    for name, lines, extra, server, host, opts in (s for s in sessions if wanted(s[0])):
        reset_files(local)
        vconf = conf
        if extra:
            vconf = os.path.join(tmp, f"vsftpd-{name}.conf")
            with open(vconf, "w") as f:
                f.write(CONF + extra)
        p = start_vsftpd(vconf)
        try:
            real = real_session(lines, local, host, opts).replace(local, "/home/alice")
        finally:
            p.kill()
            p.wait()
        # the real server is 127.0.0.1, minet's 10.0.0.21: an open names each its own
        mine = [{"at": l[2], "text": l[0]} if isinstance(l, tuple)
                else l.replace("127.0.0.1", "10.0.0.21") for l in lines]
        run = " ".join(["ftp", *opts, "10.0.0.21"]) if host else "ftp"
        script = {"at": "1s", "on": "laptop", "run": run, "input": mine}
        ours = minet(binary, tmp, name, script, server)
        ours = ours.split("\n", 1)[1].replace("10.0.0.21", "127.0.0.1")
        n += 1
        if mask(real).rstrip("\n") != mask(ours).rstrip("\n"):
            fail = 1
            print(f"FAIL interop-ftp {name}: tnftp and minet's ftp print differently")
        for side, text in (("real", real), ("minet", ours)):
            with open(os.path.join(outdir, f"{name}.{side}"), "w") as f:
                f.write(mask(text))
    for name, args in ((k, v) for k, v in CURLS.items() if wanted(k)):
        reset_files(local)
        p = start_vsftpd(conf)
        try:
            real, rc = real_curl(args, local)
        finally:
            p.kill()
            p.wait()
        line = "curl " + " ".join(args).replace("127.0.0.1", "10.0.0.21")
        ours, st = minet_curl(binary, tmp, name, line)
        ours = ours.replace("10.0.0.21", "127.0.0.1") + f"exit {st}\n"
        real += f"exit {rc}\n"
        n += 1
        if mask_curl(real).rstrip("\n") != mask_curl(ours).rstrip("\n"):
            fail = 1
            print(f"FAIL interop-ftp {name}: curl and minet's curl print differently")
        for side, text in (("real", real), ("minet", ours)):
            with open(os.path.join(outdir, f"{name}.{side}"), "w") as f:
                f.write(mask_curl(text))
    print(f"interop-ftp: {n} dialogues and sessions compared with vsftpd 3.0.3, tnftp and curl"
          + ("" if not fail else f" (differences in {outdir})"))
    sys.exit(fail)


if __name__ == "__main__":
    main()
