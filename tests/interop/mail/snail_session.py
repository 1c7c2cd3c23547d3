#!/usr/bin/env python3
"""Runs one `mail` script line of a scenario with the real s-nail, reading
from a real Dovecot, and prints what the terminal showed and what s-nail
sent, so that they can be set beside minet's.  Usage:
  snail_session.py prepare SCENARIO OUT.json   (a copy dated now: see below)
  snail_session.py talk SCENARIO LINE-INDEX RCFILE WIRE-LOG

prepare: the scenario's start becomes the present time and its mailboxes'
first messages are dated an hour ago (the last one of each mailbox keeps
its date), so that s-nail, which compares dates with the real clock, sees
one recent message and one older than half a year, as minet does with its
own clock.

talk: s-nail runs in a pseudo-terminal of 80 columns and 24 lines, as in
the window (PAGER=cat: minet does not page), with Debian's /etc/s-nail.rc
and RCFILE as its MAILRC.  `mail` becomes `s-nail -f pop3://USER@127.0.0.1`
(or imap://, from the host's account); `mail -f URL` keeps its URL with the
server's name replaced by 127.0.0.1.  Each input line is typed when the
output has been quiet for a moment (^D as end of file).  s-nail's commands
reach Dovecot (on 127.0.0.2) through a relay on 127.0.0.1 that writes each
one to WIRE-LOG, the password replaced by "(the password)" as in minet's
captions.  The transcript is printed as the terminal shows it: escape
sequences dropped, each line as its last redraw left it."""
import email.utils, fcntl, json, os, pty, re, select, socket, struct, sys, termios
import threading, time

def prepare(scn, out):
    d = json.load(open(scn))
    now = time.time()
    d['start'] = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(now))
    recent = email.utils.formatdate(now - 3600, usegmt=False).replace('-0000', '+0000')
    for n in d['nodes']:
        for msgs in n.get('mailboxes', {}).values():
            for m in msgs[:-1]:
                m['date'] = recent
    json.dump(d, open(out, 'w'), indent=1)

def relay(port, log, stop):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', port))
    ls.listen(4)
    ls.settimeout(0.2)
    def pump(a, b, client):
        buf = b''
        while True:
            try:
                data = a.recv(65536)
            except OSError:
                break
            if not data:
                break
            if client:
                buf += data
                while b'\n' in buf:
                    line, buf = buf.split(b'\n', 1)
                    text = line.decode('utf-8', 'replace').rstrip('\r')
                    text = re.sub(r'^PASS .*', 'PASS (the password)', text)
                    text = re.sub(r'^(T[0-9]+ LOGIN "[^"]*") .*', r'\1 (the password)', text)
                    log.write(text + '\n')
                    log.flush()
            try:
                b.sendall(data)
            except OSError:
                break
        try:
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    while not stop.is_set():
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        s = socket.create_connection(('127.0.0.2', port))
        threading.Thread(target=pump, args=(c, s, True), daemon=True).start()
        threading.Thread(target=pump, args=(s, c, False), daemon=True).start()
    ls.close()

def screen(raw):
    t = raw.decode('utf-8', 'replace')
    t = re.sub(r'\x1b\[\?1[hl]|\x1b[=>]|\x1b\[[0-9;]*[A-Za-z]', '', t)
    out = []
    for line in t.replace('\r\n', '\n').split('\n'):
        out.append(line.split('\r')[-1])
    return '\n'.join(out)

def talk(scn, idx, rc, wire):
    d = json.load(open(scn))
    line = d['script'][idx]
    node = next(n for n in d['nodes'] if n['id'] == line['on'])
    acct = node.get('mail', {})
    words = line['run'].split()
    if '-f' in words:
        url = re.sub(r'@[^/]*', '@127.0.0.1', words[words.index('-f') + 1])
    else:
        url = '%s://%s@127.0.0.1' % (acct.get('read', 'imap'), acct['address'].split('@')[0])
    log = open(wire, 'a')
    stop = threading.Event()
    for port in (110, 143):
        threading.Thread(target=relay, args=(port, log, stop), daemon=True).start()
    time.sleep(0.3)
    env = dict(os.environ, MAILRC=rc, PAGER='cat', TERM='xterm', LC_ALL='C.UTF-8')
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
        os.execvpe('s-nail', ['s-nail', '-f', url], env)
    out = b''
    def rd(first):
        nonlocal out
        end = time.time() + first
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    return False
                if not data:
                    return False
                out += data
                end = time.time() + 0.7
        return True
    alive = rd(8)
    for text in line.get('input', []):
        if isinstance(text, dict):
            text = text['text']
        if not alive:
            break
        os.write(fd, b'\x04' if text == '^D' else text.encode() + b'\r')
        alive = rd(3)
    rd(1)
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    stop.set()
    time.sleep(0.3)
    sys.stdout.write(screen(out).rstrip('\n') + '\n')

if sys.argv[1] == 'prepare':
    prepare(sys.argv[2], sys.argv[3])
else:
    talk(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
