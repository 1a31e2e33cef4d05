# Snapshots and differences of serving's Prometheus metrics for serving-bench.sh (no dependencies beyond Python 3).
import sys, re, urllib.request, json
def scrape(url):
    text = urllib.request.urlopen(url).read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith('#') or not line.strip(): continue
        name, _, val = line.rpartition(' ')
        try: out[name] = float(val)
        except ValueError: pass
    return out
def get(m, prefix, suffix=''):
    return sum(v for k, v in m.items() if k.startswith(prefix) and k.split('{')[0].endswith(suffix))
def buckets(m, base):
    b = {}
    for k, v in m.items():
        if k.startswith(base + '_bucket{'):
            le = re.search(r'le="([^"]+)"', k).group(1)
            b[float('inf') if le == '+Inf' else float(le)] = b.get(float('inf') if le == '+Inf' else float(le), 0) + v
    return b
def quantile(b0, b1, q):
    d = sorted((le, b1.get(le, 0) - b0.get(le, 0)) for le in b1)
    total = d[-1][1] if d else 0
    if total <= 0: return None
    for le, c in d:
        if c >= q * total: return le
if __name__ == '__main__':
    mode, url = sys.argv[1], sys.argv[2]
    if mode == 'snap':
        json.dump(scrape(url), open(sys.argv[3], 'w'))
    else:
        a, b = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
        def d(name): return b.get(name, 0) - a.get(name, 0)
        bs = 'livedpo_serving_batch_size'
        def sumk(m, pre): return sum(v for k, v in m.items() if k.startswith(pre))
        bsum = sumk(b, bs + '_sum') - sumk(a, bs + '_sum'); bcnt = sumk(b, bs + '_count') - sumk(a, bs + '_count')
        tt = 'livedpo_serving_time_to_first_token_seconds'
        tsum = sumk(b, tt + '_sum') - sumk(a, tt + '_sum'); tcnt = sumk(b, tt + '_count') - sumk(a, tt + '_count')
        tok = sumk(b, 'livedpo_serving_generated_tokens_total') - sumk(a, 'livedpo_serving_generated_tokens_total')
        secs = float(sys.argv[5])
        print(json.dumps({'mean_batch': round(bsum / bcnt, 2) if bcnt else None,
            'tokens_per_s': round(tok / secs, 1), 'ttft_mean_ms': round(1000 * tsum / tcnt, 1) if tcnt else None,
            'ttft_p50_ms_bucket': (lambda x: x and round(1000*x, 1))(quantile(buckets(a, tt), buckets(b, tt), 0.5)),
            'ttft_p99_ms_bucket': (lambda x: x and round(1000*x, 1))(quantile(buckets(a, tt), buckets(b, tt), 0.99))}))
