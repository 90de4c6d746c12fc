#!/usr/bin/env python3
"""Loopback origin for scripts/soak.sh: a mix of cacheable, uncacheable, slow and large answers.

  GET /c/<key>[?size=B]          200, B bytes (default 1024), public, max-age=20,
                                 stale-while-revalidate=10, strong ETag; If-None-Match -> 304
  GET /u/<key>[?size=B]          200, no-store (never cached; makes the key hit-for-miss)
  GET /slow/<key>[?ms=N&size=B]  waits N ms (default 200), then 200, max-age=5
  GET /big/<key>[?size=B]        200, B bytes (default 2 MiB) written in 64 KiB pieces, max-age=60
  GET /chunked/<key>[?size=B]    200 with Transfer-Encoding: chunked, max-age=30
  GET /__count                   {"requests": n, "connections": n, "open": n}  (not counted)

HEAD gets the same head without the body. HTTP/1.1 keep-alive on asyncio (one task per
connection). Usage: origin.py PORT [HOST]   (HOST default 127.0.0.1; loopback only)
"""
import asyncio, email.utils, hashlib, json, sys, time
from urllib.parse import urlsplit, parse_qs

PORT = int(sys.argv[1])
HOST = sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1'
if HOST not in ('127.0.0.1', '::1', 'localhost'):
    sys.exit('origin.py: loopback only')
LAST_MOD = email.utils.formatdate(time.time() - 86400, usegmt=True)
PIECE = 64 * 1024
BODIES = {}
stats = {'requests': 0, 'connections': 0, 'open': 0}


def body(size):
    b = BODIES.get(size)
    if b is None:
        b = BODIES[size] = bytes((i * 7 + i // 251) & 0xFF for i in range(min(size, PIECE)))
    return b


def payload(size):
    """The body as pieces of at most 64 KiB (the same bytes repeated)."""
    piece = body(min(size, PIECE))
    full, rest = divmod(size, len(piece)) if piece else (0, 0)
    return [piece] * full + ([piece[:rest]] if rest else [])


async def handle(reader, writer):
    stats['connections'] += 1
    stats['open'] += 1
    try:
        while True:
            try:
                head = await reader.readuntil(b'\r\n\r\n')
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            lines = head.decode('latin-1').split('\r\n')
            method, target, _ = lines[0].split(' ', 2)
            hdrs = {}
            for l in lines[1:]:
                if ':' in l:
                    k, v = l.split(':', 1)
                    hdrs[k.strip().lower()] = v.strip()
            n = int(hdrs.get('content-length', '0') or 0)
            if n:
                await reader.readexactly(n)
            u = urlsplit(target)
            if u.path == '/__count':
                b = json.dumps(stats).encode()
                writer.write(b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n'
                             b'cache-control: no-store\r\ncontent-length: %d\r\n\r\n%s' % (len(b), b))
                await writer.drain()
                continue
            stats['requests'] += 1
            q = parse_qs(u.query)
            kind = u.path.split('/')[1] if u.path.count('/') >= 2 else ''
            size = int(q.get('size', ['2097152' if kind == 'big' else '1024'])[0])
            etag = '"%s"' % hashlib.sha1(target.encode()).hexdigest()[:16]
            date = email.utils.formatdate(usegmt=True)
            chunked = False
            if kind == 'c':
                cc = 'public, max-age=20, stale-while-revalidate=10'
            elif kind == 'u':
                cc = 'no-store'
            elif kind == 'slow':
                await asyncio.sleep(float(q.get('ms', ['200'])[0]) / 1000)
                cc = 'public, max-age=5'
            elif kind == 'big':
                cc = 'public, max-age=60'
            elif kind == 'chunked':
                cc = 'public, max-age=30'
                chunked = True
            else:
                writer.write(b'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\ndate: %s\r\n\r\n' % date.encode())
                await writer.drain()
                continue
            common = ('cache-control: %s\r\netag: %s\r\nlast-modified: %s\r\ndate: %s\r\n'
                      'content-type: application/octet-stream\r\n' % (cc, etag, LAST_MOD, date))
            if kind != 'u' and hdrs.get('if-none-match') == etag:
                writer.write(('HTTP/1.1 304 Not Modified\r\n%s\r\n' % common).encode())
                await writer.drain()
                continue
            if chunked:
                writer.write(('HTTP/1.1 200 OK\r\n%stransfer-encoding: chunked\r\n\r\n' % common).encode())
                if method != 'HEAD':
                    for p in payload(size):
                        writer.write(b'%x\r\n%s\r\n' % (len(p), p))
                        await writer.drain()
                    writer.write(b'0\r\n\r\n')
            else:
                writer.write(('HTTP/1.1 200 OK\r\n%scontent-length: %d\r\n\r\n' % (common, size)).encode())
                if method != 'HEAD':
                    for p in payload(size):
                        writer.write(p)
                        await writer.drain()
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        stats['open'] -= 1
        writer.close()


async def main():
    server = await asyncio.start_server(handle, HOST, PORT, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
