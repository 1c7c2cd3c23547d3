#!/usr/bin/env python3
"""Feeds a scenario's mailboxes to a real Dovecot and types a script line's
input into its POP3 or IMAP port, printing the dialogue as telnet shows it
(each line typed, then what came back), so that it can be set beside
minet's transcript.  Usage:
  dovecot_session.py seed SCENARIO SERVER MAILDIR-ROOT      (write Maildirs)
  dovecot_session.py talk SCENARIO LINE-INDEX               (run one line)"""
import json
import re, os, socket, sys, time

def seed(scn, server, root):
    d = json.load(open(scn))
    node = next(n for n in d['nodes'] if n['id'] == server)
    dom = node.get('domains', [server])[0]
    serial = 0
    for user in node.get('users', {}):
        md = os.path.join(root, user, 'Maildir')
        for sub in ('new', 'cur', 'tmp'):
            os.makedirs(os.path.join(md, sub), exist_ok=True)
    for user, msgs in node.get('mailboxes', {}).items():
        md = os.path.join(root, user, 'Maildir')
        for m in msgs:
            # the same text minet's seed_mailboxes stores (Message-Id's
            # queue id differs; it is masked in the comparison)
            t = 'Return-Path: <%s>\nX-Original-To: %s@%s\nDelivered-To: %s@%s\n' % (
                m.get('from', ''), user, dom, user, dom)
            t += 'Message-Id: <20230911090000.00000AA5F%02X@%s>\nDate: %s\n' % (0x68 + serial, server, m['date'])
            if m.get('from'):
                t += 'From: %s\n' % m['from']
            t += 'To: %s@%s\n' % (user, dom)
            if 'subject' in m:
                t += 'Subject: %s\n' % m['subject']
            t += '\n' + m.get('body', '')
            if m.get('body') and not m['body'].endswith('\n'):
                t += '\n'
            serial += 1
            name = os.path.join(md, 'new', '%d.M%dP1.minet' % (1694422800 + serial, serial))
            with open(name, 'w') as f:
                f.write(t)

def talk(scn, idx):
    """Types the line's input as minet does: a line 1 s after the answer to
    the one before, or at its own time ("at", from the line's start)."""
    d = json.load(open(scn))
    line = d['script'][idx]
    port = int(line['run'].split()[-1])
    start = time.time()
    s = socket.create_connection(('127.0.0.1', port))
    s.settimeout(0.4)
    def rd(wait):
        out = b''
        end = time.time() + wait
        while time.time() < end:
            try:
                data = s.recv(65536)
            except socket.timeout:
                if out:
                    break
                continue
            if not data:
                break
            out += data
        return out.decode('utf-8', 'replace').replace('\r\n', '\n')
    sys.stdout.write(rd(5))
    left = 0  # bytes of an IMAP literal still to send: its lines get no answer
    for text in line.get('input', []):
        if isinstance(text, dict):
            at = float(text['at'].rstrip('s'))
            text = text['text']
            time.sleep(max(0.0, start + at - time.time()))
        else:
            time.sleep(0.6)
        if text in ('^]', 'close'):
            if text == 'close':
                break
            continue
        sys.stdout.write(text + '\n')
        s.sendall((text + '\r\n').encode())
        size = len(text.encode()) + 2
        inside = left >= size  # the whole line is literal bytes
        left = left - size if inside else 0
        lit = None if inside else re.search(r'\{(\d+)(\+?)\}$', text)
        if lit:
            left = int(lit.group(1))
        if inside or (lit and lit.group(2)):
            # no answer is due: a moment for one that comes anyway
            sys.stdout.write(rd(1))
            continue
        # a failed login answers after 2 s, a penalty adds up to 15 s
        sys.stdout.write(rd(20))
    s.close()

if sys.argv[1] == 'seed':
    seed(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    talk(sys.argv[2], int(sys.argv[3]))
