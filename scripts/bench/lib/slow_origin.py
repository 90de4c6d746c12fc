#!/usr/bin/env python3
"""Slow origin for the cache benchmark: a stand-in for an expensive backend.

  GET /slow/<anything>[?ms=N][&size=B][&max-age=S]
      waits N ms (default 50), then answers 200 with B bytes (default 1024),
      Cache-Control: public, max-age=S (default 3600), a strong ETag derived from the
      URL and Last-Modified; If-None-Match with that ETag gets 304 after the same delay.
  GET /__count  ->  {"requests": n}  (not counted)

Keep-alive HTTP/1.1 on asyncio (one task per connection), so 64+ concurrent delayed
requests cost nothing but timers. Usage: slow_origin.py PORT [HOST]   (HOST default 127.0.0.1)
"""
import asyncio, email.utils, hashlib, json, sys, time
from urllib.parse import urlsplit, parse_qs

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 19502
HOST = sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1'
LAST_MOD = email.utils.formatdate(time.time() - 86400, usegmt=True)
BODIES = {}
count = 0


def body(size):
    b = BODIES.get(size)
    if b is None:
        b = BODIES[size] = b'a' * size
    return b


async def handle(reader, writer):
    global count
    try:
        while True:
            head = await reader.readuntil(b'\r\n\r\n')
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
                b = json.dumps({'requests': count}).encode()
                writer.write(b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n'
                             b'cache-control: no-store\r\ncontent-length: %d\r\n\r\n%s' % (len(b), b))
                await writer.drain()
                continue
            count += 1
            q = parse_qs(u.query)
            ms = float(q.get('ms', ['50'])[0])
            size = int(q.get('size', ['1024'])[0])
            max_age = int(q.get('max-age', ['3600'])[0])
            etag = '"%s"' % hashlib.sha1(target.encode()).hexdigest()[:16]
            await asyncio.sleep(ms / 1000)
            common = ('cache-control: public, max-age=%d\r\netag: %s\r\nlast-modified: %s\r\n'
                      'date: %s\r\n' % (max_age, etag, LAST_MOD, email.utils.formatdate(usegmt=True)))
            if hdrs.get('if-none-match') == etag:
                writer.write(('HTTP/1.1 304 Not Modified\r\n' + common + '\r\n').encode())
            else:
                b = body(size)
                writer.write(('HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n' + common +
                              'content-length: %d\r\n\r\n' % len(b)).encode())
                if method != 'HEAD':
                    writer.write(b)
            await writer.drain()
            if hdrs.get('connection', '').lower() == 'close':
                break
    except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, HOST, PORT, backlog=1024)
    print(f'slow origin on {HOST}:{PORT}', flush=True)
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
