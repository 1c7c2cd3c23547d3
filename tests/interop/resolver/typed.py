# Runs a program on a terminal of its own (a pseudo-terminal) and types
# lines into it, as a student would at its prompt:
#
#   python3 typed.py INPUT PROGRAM ARGS...
#
# INPUT has one line to type per line ("^D" types end of file).  Each is
# typed once the program has printed its prompt ("> ") and gone quiet, or
# after 10 s of silence.  What the terminal shows (the program's output and
# the echo of what was typed, carriage returns removed) goes to standard
# output; the program's exit status is this script's.  The terminal does
# not echo control characters (^D shows nothing), as minet's console.
import os
import pty
import select
import sys
import termios
import time

lines = open(sys.argv[1]).read().splitlines()
pid, fd = pty.fork()
if pid == 0:
    attrs = termios.tcgetattr(0)
    attrs[3] &= ~termios.ECHOCTL
    termios.tcsetattr(0, termios.TCSANOW, attrs)
    os.execvp(sys.argv[2], sys.argv[2:])

out = b""
done = False


def read_until_prompt(limit):
    """Reads until the output ends in a prompt and stays quiet 0.2 s."""
    global out, done
    end = time.time() + limit
    quiet_since = time.time()
    while time.time() < end and not done:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                done = True
                return
            out += data
            quiet_since = time.time()
        elif out.endswith(b"> ") and time.time() - quiet_since > 0.2:
            return


for line in lines:
    read_until_prompt(10)
    if done:
        break
    os.write(fd, b"\x04" if line == "^D" else line.encode() + b"\n")
read_until_prompt(10)
if not done:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)
