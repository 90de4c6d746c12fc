# split.py PORT PID... : open connections to PORT per epoll instance (one per I/O thread / nginx worker)
import os, re, subprocess, sys
port = sys.argv[1]
out = subprocess.run(['ss', '-tnHe', 'state', 'established', '( sport = :%s )' % port], capture_output=True, text=True).stdout
inodes = set(re.findall(r'ino:(\d+)', out))
counts = []
for pid in sys.argv[2:]:
    try:
        fds = os.listdir('/proc/%s/fd' % pid)
    except OSError:
        continue
    for fd in fds:
        try:
            if os.readlink('/proc/%s/fd/%s' % (pid, fd)) != 'anon_inode:[eventpoll]':
                continue
            n = 0
            for line in open('/proc/%s/fdinfo/%s' % (pid, fd)):
                m = re.match(r'tfd:\s*(\d+)', line)
                if m:
                    try:
                        l = os.readlink('/proc/%s/fd/%s' % (pid, m.group(1)))
                    except OSError:
                        continue
                    mm = re.match(r'socket:\[(\d+)\]', l)
                    if mm and mm.group(1) in inodes:
                        n += 1
            if n:
                counts.append(n)
        except OSError:
            pass
print('/'.join(str(c) for c in sorted(counts, reverse=True)) or '-')
