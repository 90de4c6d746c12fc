vcl 4.1;
# Peer: Varnish with builtin VCL semantics (honours Cache-Control max-age, does not cache requests
# carrying Cookie/Authorization). Storage is chosen on the command line by scripts/bench.sh:
# -s malloc,1G (memory mode) or -s file,...,2G (disk mode). Only adds an X-Cache header.
backend origin {
    .host = "127.0.0.1";
    .port = "__ORIGIN_PORT__";
}
sub vcl_deliver {
    if (obj.hits > 0) { set resp.http.X-Cache = "HIT"; } else { set resp.http.X-Cache = "MISS"; }
}
