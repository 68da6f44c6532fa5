# prune.py writes dayforce-openapi.yaml here: the subset of Dayforce's own OpenAPI
# document that this package calls. Run from the repository root with the vendor's
# whole document beside the repository (../shared/reference/dayforce-openapi.yaml):
#   python3 dayforce/testdata/vendor/prune.py
import yaml, sys, re
src = yaml.safe_load(open('../shared/reference/dayforce-openapi.yaml'))
ours = yaml.safe_load(open('dayforce/openapi.yaml'))
vendor_paths = src['paths']
keep = {}
def norm(p): return re.sub(r'\{[^}]+\}', '{}', p).lower()
index = {}
for vp in vendor_paths:
    index.setdefault(norm(vp), []).append(vp)
for p, item in ours['paths'].items():
    found = False
    for vp in index.get(norm(p), []):
        # Dayforce spells a path parameter differently per method ({XrefCode},
        # {xRefCode}): keep, of each vendor path, the methods we use
        ms = {m: v for m, v in vendor_paths[vp].items() if m in item}
        if ms:
            keep[vp] = dict(ms, **({'parameters': vendor_paths[vp]['parameters']} if 'parameters' in vendor_paths[vp] else {}))
            found = True
    if not found:
        print('missing in vendor:', p, file=sys.stderr)
refs = set()
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == '$ref' and isinstance(v, str) and v.startswith('#/components/'):
                refs.add(v)
            else:
                walk(v)
    elif isinstance(o, list):
        for v in o: walk(v)
walk(keep)
comps = {}
seen = set()
todo = list(refs)
while todo:
    r = todo.pop()
    if r in seen: continue
    seen.add(r)
    _, _, kind, name = r.split('/', 3)
    val = src['components'][kind][name]
    comps.setdefault(kind, {})[name] = val
    before = set(refs); walk(val)
    todo.extend(refs - before)
out = {'openapi': src['openapi'], 'info': src['info'], 'paths': keep, 'components': comps}
if 'servers' in src: out['servers'] = src['servers']
if 'components' in src and 'securitySchemes' in src['components']:
    out['components']['securitySchemes'] = src['components']['securitySchemes']
if 'security' in src: out['security'] = src['security']
with open('dayforce/testdata/vendor/dayforce-openapi.yaml', 'w') as f:
    f.write('# A verbatim subset of Dayforce\'s own OpenAPI document (the paths and methods this\n'
            '# package calls, and the components they reference), for the test that checks the\n'
            '# fake\'s answers against the vendor\'s document. Produced from\n'
            '# dayforce-openapi.yaml of the steering repository\'s shared/reference folder.\n')
    yaml.safe_dump(out, f, sort_keys=False, allow_unicode=True, width=120)
print(len(keep), 'paths', sum(len(v) for v in comps.values()), 'components')
