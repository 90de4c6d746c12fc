#!/usr/bin/env python3
"""Machine facts and tool versions for the benchmark header, as JSON on stdout.
Usage: facts.py JAVA JAR REPO_DIR"""
import json, os, platform, re, subprocess, sys, time

java, jar, repo = sys.argv[1], sys.argv[2], sys.argv[3]


def run(*cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (p.stdout + p.stderr).strip()
    except (OSError, subprocess.TimeoutExpired):
        return None


def first(text, pattern=None):
    if not text:
        return None
    for line in text.splitlines():
        if pattern is None or re.search(pattern, line):
            return line.strip()
    return None


def cpu_model():
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def mem_total():
    try:
        for line in open('/proc/meminfo'):
            if line.startswith('MemTotal:'):
                return '%.1f GiB' % (int(line.split()[1]) / 1024 / 1024)
    except OSError:
        return None


def os_name():
    try:
        for line in open('/etc/os-release'):
            if line.startswith('PRETTY_NAME='):
                return line.split('=', 1)[1].strip().strip('"')
    except OSError:
        return None


def dpkg(pkg):
    v = run('dpkg-query', '-W', '-f', '${Version}', pkg)
    return v if v and 'no packages' not in v and 'not installed' not in v else None


facts = {
    'date_utc': time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()),
    'host': platform.node(),
    'nproc': os.cpu_count(),
    'cpu_model': cpu_model(),
    'hypervisor': first(run('lscpu'), r'Hypervisor vendor'),
    'memory': mem_total(),
    'kernel': platform.release(),
    'os': os_name(),
    'loadavg_at_start': open('/proc/loadavg').read().split()[:3],
    'versions': {
        'cachalot': os.environ.get('CACHALOT_VERSION') or first(run('git', '-C', repo, 'describe', '--always', '--dirty')),
        'cachalot_jar_mtime': time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(os.path.getmtime(jar))) if os.path.exists(jar) else None,
        'java': first(run(java, '-version')),
        'java_runtime': first(run(java, '-version'), r'Runtime'),
        'nginx': first(run('nginx', '-v')),
        'varnish': first(run('varnishd', '-V'), r'varnish'),
        'squid': first(run('squid', '-v'), r'Version'),
        'trafficserver': first(run('traffic_server', '-V'), r'Traffic Server'),
        'wrk': first(run('wrk', '-v'), r'wrk'),
        'h2load': first(run('h2load', '--version')),
        'python': platform.python_version(),
    },
    'packages': {p: dpkg(p) for p in ('nginx', 'varnish', 'squid', 'trafficserver', 'wrk', 'nghttp2-client')},
}
print(json.dumps(facts, indent=1))
