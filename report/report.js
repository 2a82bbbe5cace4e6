// symbiomc report page script (report/report.js), inlined into every report by
// `symbiomc report`. It reads the JSON blob written by src/io/html_report.cpp and draws the
// charts with d3 and d3-sankey (inlined above it). Each chart is a <figure class="chart">
// with data-chart (its kind) and data attributes naming what it shows, so tests and readers
// can find it; its marks carry classes (path.link, rect.bar, g.box, ...) a test can count.
// Sections whose data is missing are left out. Numbers are formatted for people: thousands
// separators, about three significant digits, units written out.
(function () {
  'use strict';

  const DATA = JSON.parse(document.getElementById('symbiomc-data').textContent);
  const report = d3.select('#report');
  const NS = {}; // lookups built once

  // ------------------------------------------------------------------------------------
  // Formatting

  const numberFormats = new Map();
  function decimalsFormat(decimals) {
    if (!numberFormats.has(decimals)) {
      numberFormats.set(decimals, new Intl.NumberFormat('en-US', {minimumFractionDigits: decimals, maximumFractionDigits: decimals}));
    }
    return numberFormats.get(decimals);
  }
  /** About `sig` significant digits, thousands separators, never scientific for everyday sizes. */
  function fmt(x, sig = 3) {
    if (x === null || x === undefined || !Number.isFinite(x)) return '–';
    const ax = Math.abs(x);
    if (ax === 0) return '0';
    if (ax >= 1e12 || ax < 1e-4) return x.toExponential(sig - 1).replace('e+', 'e');
    const decimals = Math.min(6, Math.max(0, sig - 1 - Math.floor(Math.log10(ax))));
    const text = decimalsFormat(decimals).format(x);
    return /^-?0(\.0*)?$/.test(text) ? '0' : text.replace(/^-/, '−');
  }
  function fmtInt(x) { return Number.isFinite(x) ? decimalsFormat(0).format(x) : '–'; }
  /** A probability as a percentage: "51 %", "0.3 %", "< 0.1 %", "100 %". */
  function pct(p) {
    if (p === null || p === undefined || !Number.isFinite(p)) return '–';
    if (p <= 0) return '0 %';
    if (p >= 1) return '100 %';
    const v = p * 100;
    if (v < 0.1) return '< 0.1 %';
    if (v > 99.9) return '> 99.9 %';
    if (v < 1 || v > 99) return v.toFixed(1) + ' %';
    return Math.round(v) + ' %';
  }
  const SUPERSCRIPT = {'0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻'};
  /** "10^4 yuan/yr" -> "×10⁴ yuan/yr", "m3/h" -> "m³/h", "pct points" -> "percentage points". */
  function prettyUnit(unit) {
    if (!unit || unit === '1' || unit === '-') return '';  // dimensionless
    if (unit === 'pct points') return 'percentage points';
    return unit.replace(/10\^(-?\d+)/g, (m, e) => '×10' + [...e].map((c) => SUPERSCRIPT[c]).join(''))
      .replace(/\bm3\b/g, 'm³').replace(/\bm2\b/g, 'm²');
  }
  /** " [unit]" after a name, or nothing for a dimensionless output. */
  function unitTag(unit) {
    const u = prettyUnit(unit);
    return u ? ` <span class="unit">[${escapeHtml(u)}]</span>` : '';
  }
  function withUnit(x, unit) {
    const u = prettyUnit(unit);
    return u ? fmt(x) + ' ' + u : fmt(x);
  }
  /** Output name without its unit suffix: "savings_10k_yuan_per_yr" -> "savings". */
  const UNIT_TOKENS = new Set(['mw', 'kw', 'gw', 'mj', 'gj', 'kj', 'per', 'h', 't', 'kg', 'pct', 'points', 'yr', 'yuan', '10k',
    'm3', 'l', 'mwh', 'kwh', 's', 'd', 'day', 'usd', 'eur', 'percent']);
  function shortName(output) {
    const parts = output.split('_');
    while (parts.length > 1 && UNIT_TOKENS.has(parts[parts.length - 1].toLowerCase())) parts.pop();
    return parts.join(' ');
  }
  function prettyId(id) { return id.replace(/_/g, ' '); }
  function modeName(id) { return NS.modeNames.get(id) || id; }
  function outputInfo(name) { return NS.outputs.get(name) || {name, unit: '', description: ''}; }
  function truncate(text, n) { return text.length > n ? text.slice(0, n - 1) + '…' : text; }

  // ------------------------------------------------------------------------------------
  // Page scaffolding

  const sections = [];
  function section(id, title, intro) {
    sections.push({id, title});
    const s = report.append('section').attr('id', id);
    s.append('h2').text(title);
    if (intro) s.append('p').attr('class', 'intro').html(intro);
    return s;
  }
  function csvLink(chart) {
    const file = DATA.chart_files && DATA.chart_files[chart];
    return file ? ` Data: <a href="${escapeHtml(encodeURI(file))}">${escapeHtml(file)}</a>.` : '';
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c]);
  }
  /** A <figure class="chart"> with an <svg> sized by its viewBox, and a caption under it. */
  function figure(parent, kind, attrs, width, height, label, caption, chart) {
    const fig = parent.append('figure').attr('class', 'chart').attr('data-chart', kind);
    for (const [k, v] of Object.entries(attrs)) fig.attr('data-' + k, v);
    const svg = fig.append('svg').attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height)
      .attr('role', 'img').attr('aria-label', label);
    if (caption) fig.append('figcaption').html(caption + csvLink(chart));
    return svg;
  }
  function table(parent, header, rows, cls = 'data') {
    const wrap = parent.append('div').attr('class', 'scroll');
    const t = wrap.append('table').attr('class', cls);
    t.append('thead').append('tr').selectAll('th').data(header).join('th')
      .attr('class', (d) => (d && d.cls) || null).html((d) => (d && d.html !== undefined ? d.html : escapeHtml(d)));
    const body = t.append('tbody');
    for (const row of rows) {
      body.append('tr').selectAll('td').data(row).join('td')
        .attr('class', (d) => (d && d.cls) || null)
        .attr('style', (d) => (d && d.style) || null)
        .html((d) => (d && d.html !== undefined ? d.html : escapeHtml(d === null || d === undefined ? '–' : d)));
    }
    return t;
  }
  /** Tick labels with the precision of the tick step and thousands separators: "200", "0.25", "20,000". */
  function tickFormat(scale, ticks) {
    const f = scale.tickFormat(ticks, ',~f');
    return (d) => f(d).replace(/^-/, '−');
  }
  function xAxis(g, scale, ticks, unit, width, y) {
    g.attr('class', 'axis').attr('transform', `translate(0,${y})`)
      .call(d3.axisBottom(scale).ticks(ticks).tickFormat(tickFormat(scale, ticks)).tickSizeOuter(0));
    if (unit !== undefined) {
      g.append('text').attr('class', 'axis-label').attr('x', width).attr('y', 30).attr('text-anchor', 'end').text(unit);
    }
  }

  const modeColor = (() => {
    const palette = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
    const map = new Map();
    let i = 0;
    for (const m of DATA.modes) map.set(m.id, m.id === 'independent' ? '#8c8c8c' : palette[i++ % palette.length]);
    return (id) => map.get(id) || '#666';
  })();

  // ------------------------------------------------------------------------------------
  // Lookups

  function buildLookups() {
    NS.modeNames = new Map(DATA.modes.map((m) => [m.id, m.name]));
    NS.outputs = new Map(DATA.outputs.map((o) => [o.name, o]));
    NS.outputOrder = DATA.outputs.map((o) => o.name);
    const focus = DATA.focus && DATA.focus.output;
    if (focus && NS.outputOrder.includes(focus)) NS.outputOrder = [focus, ...NS.outputOrder.filter((o) => o !== focus)];
    NS.stats = new Map();
    if (DATA.uncertainty) for (const s of DATA.uncertainty.stats) NS.stats.set(s.mode + '\u0000' + s.output, s);
    NS.stat = (mode, output) => NS.stats.get(mode + '\u0000' + output);
    NS.sobol = new Map();
    if (DATA.sobol) for (const r of DATA.sobol.results) NS.sobol.set(r.mode + '\u0000' + r.output, r);
    NS.morris = new Map();
    if (DATA.morris) for (const r of DATA.morris.results) NS.morris.set(r.mode + '\u0000' + r.output, r);
    NS.nominal = new Map();
    if (DATA.flows) for (const n of DATA.flows.nominal) NS.nominal.set(n.mode + '\u0000' + n.output, n.value);
  }

  // ------------------------------------------------------------------------------------
  // Header, summary

  function renderHeader() {
    const runs = (DATA.provenance && DATA.provenance.runs) || [];
    const kinds = runs.map((r) => r.kind).join(', ');
    const parts = [];
    if (DATA.case) parts.push('case <span class="mono">' + escapeHtml(DATA.case) + '</span>');
    if (kinds) parts.push('from the ' + escapeHtml(kinds) + ' results');
    parts.push('symbiomc ' + escapeHtml(DATA.version));
    if (DATA.generated_at) parts.push('report written ' + escapeHtml(DATA.generated_at));
    d3.select('#page-meta').html(parts.join(' · '));
    document.title = DATA.title;
  }

  function renderSummary() {
    const s = section('summary', 'Summary');
    const box = s.append('div').attr('class', 'summary-box');
    const focus = DATA.focus || {};
    const out = focus.output;
    const info = outputInfo(out || '');
    const name = out ? shortName(out) : '';
    const best = focus.mode;
    const items = [];
    let lead = '';
    const u = DATA.uncertainty;
    const st = u && out && best ? NS.stat(best, out) : null;
    if (st) {
      const single = DATA.modes.filter((m) => NS.stat(m.id, out)).length === 1;
      lead = (single ? `<b>${escapeHtml(modeName(best))}</b>, ${escapeHtml(name)}: ` : `<b>${escapeHtml(modeName(best))}</b> gives the highest ${escapeHtml(name)}: `) +
        `<b>${fmt(st.mean)} ± ${fmt(st.sd)} ${escapeHtml(prettyUnit(st.unit))}</b> (mean ± standard deviation over ${fmtInt(u.runs)} runs)`;
      const thresholds = st.thresholds.map((t) => `P(${escapeHtml(name)} > ${fmt(t.value)}) = <b>${pct(t.p)}</b>`);
      if (thresholds.length) lead += '; ' + thresholds.join('; ');
      lead += '.';
      items.push(`In 90 % of the runs its ${escapeHtml(name)} lies between ${escapeHtml(withUnit(st.q.p5, st.unit))} and ${escapeHtml(withUnit(st.q.p95, st.unit))} ` +
        `(median ${escapeHtml(withUnit(st.q.p50, st.unit))}); P(${escapeHtml(name)} > 0) = ${pct(st.p_pos)}.`);
      // Runner-up and the paired comparison with it.
      const others = DATA.modes.map((m) => NS.stat(m.id, out)).filter((x) => x && x.mode !== best && Number.isFinite(x.mean))
        .sort((a, b) => b.mean - a.mean);
      if (others.length) {
        const second = others[0];
        const c = u.comparisons.find((c) => c.output === out && ((c.a === best && c.b === second.mode) || (c.a === second.mode && c.b === best)));
        let text = `Next best: ${escapeHtml(modeName(second.mode))} with ${fmt(second.mean)} ± ${fmt(second.sd)} ${escapeHtml(prettyUnit(second.unit))}.`;
        const share = (p) => (p === 0 ? 'none' : p === 1 ? 'all' : pct(p)) + ` of the ${fmtInt(c.runs)} runs`;
        if (c && c.a === best) text += ` ${escapeHtml(modeName(best))} gives more in <b>${share(c.p)}</b> (same parameter draws for both).`;
        else if (c) text += ` It beats ${escapeHtml(modeName(best))} in <b>${share(c.p)}</b> (same parameter draws for both).`;
        items.push(text);
      }
    } else if (DATA.flows && out && best) {
      const v = NS.nominal.get(best + '\u0000' + out);
      lead = `At nominal inputs <b>${escapeHtml(modeName(best))}</b> gives the highest ${escapeHtml(name)}: <b>${escapeHtml(withUnit(v, info.unit))}</b>. ` +
        'Run <code>symbiomc uncertainty</code> to see how far this can be trusted.';
    } else {
      lead = 'This report shows the sensitivity results only.';
    }
    // What drives the focus output's spread.
    const sob = DATA.sobol && NS.sobol.get(best + '\u0000' + out);
    if (sob && !sob.zero_variance && sob.parameters.length) {
      const top = sob.parameters.slice(0, 3).map((p) => `<span class="mono">${escapeHtml(p.name)}</span> (ST ${fmt(p.ST, 2)})`);
      let text = `Most of the spread of ${escapeHtml(name)} under ${escapeHtml(modeName(best))} comes from ${top.join(', ')}`;
      if (sob.groups.length) text += `; by group, <span class="mono">${escapeHtml(sob.groups[0].name)}</span> (ST ${fmt(sob.groups[0].ST, 2)})`;
      items.push(text + ' — see <a href="#sobol">sensitivity</a>.');
    } else if (DATA.morris && NS.morris.get(best + '\u0000' + out)) {
      const r = NS.morris.get(best + '\u0000' + out);
      const order = DATA.morris.parameters.map((p, i) => i).filter((i) => Number.isFinite(r.mu_star[i])).sort((a, b) => r.mu_star[b] - r.mu_star[a]);
      if (order.length && r.mu_star[order[0]] > 0) {
        items.push('Morris screening ranks ' + order.slice(0, 3).map((i) => `<span class="mono">${escapeHtml(DATA.morris.parameters[i])}</span>`).join(', ') +
          ` first for ${escapeHtml(name)} under ${escapeHtml(modeName(best))} — see <a href="#morris">screening</a>.`);
      }
    }
    if (u) {
      const failed = u.failed_runs || 0;
      items.push(failed ? `<span class="bad">${fmtInt(failed)} of ${fmtInt(u.runs)} runs (${pct(failed / u.runs)}) failed in at least one mode</span> — see <a href="#failures">failed runs</a>.`
        : `No run failed (${fmtInt(u.runs)} runs, every mode).`);
    }
    box.append('p').attr('class', 'lead').html(lead);
    if (items.length) box.append('ul').selectAll('li').data(items).join('li').html((d) => d);
    if (u && out) {
      const thresholdValues = [];
      for (const m of DATA.modes) {
        const x = NS.stat(m.id, out);
        if (x) for (const t of x.thresholds) if (!thresholdValues.includes(t.value)) thresholdValues.push(t.value);
      }
      const header = ['Mode', 'Mean ± sd', '90 % of runs (P5 – P95)', 'Median (P50)', `P(> 0)`]
        .concat(thresholdValues.map((v) => `P(> ${fmt(v)})`));
      if (DATA.flows) header.push('Nominal');
      const rows = [];
      for (const m of DATA.modes) {
        const x = NS.stat(m.id, out);
        if (!x) continue;
        const row = [{html: `<span class="swatch" style="background:${modeColor(m.id)}"></span>${escapeHtml(m.name)}`, cls: 'text'},
          `${fmt(x.mean)} ± ${fmt(x.sd)}`, `${fmt(x.q.p5)} – ${fmt(x.q.p95)}`, fmt(x.q.p50), pct(x.p_pos)];
        for (const v of thresholdValues) {
          const t = x.thresholds.find((t) => t.value === v);
          row.push(t ? pct(t.p) : '–');
        }
        if (DATA.flows) row.push(fmt(NS.nominal.get(m.id + '\u0000' + out)));
        rows.push(row);
      }
      box.append('h4').html(`${escapeHtml(name)} by mode${unitTag(info.unit)}`);
      table(box, header, rows, 'data summary-table');
    }
    if (DATA.notes && DATA.notes.length) {
      const n = s.append('div').attr('class', 'notes');
      n.append('b').text('Check the inputs: ');
      n.append('ul').selectAll('li').data(DATA.notes).join('li').text((d) => d);
    }
    s.append('p').attr('class', 'intro').html('How to read this report: each chart has a caption under it; hover a bar, band or dot ' +
      'to see its exact value. Every chart\'s numbers are also in a CSV file beside this page (linked in the caption). ' +
      'Inputs, seeds and checksums are under <a href="#provenance">provenance</a>.');
  }

  // ------------------------------------------------------------------------------------
  // Decision: best mode, P(best), EVPI, EVPPI, probabilistic tornado, importance

  /** Horizontal bars with interval whiskers. rows: [{name, values: [{v, lo, hi}] per series}];
   *  series: [{label, color}]; every value is in `unit` (the axis label says so). */
  function intervalBars(parent, kind, attrs, rows, series, axisLabel, label, caption, chart, format = fmt) {
    const margin = {left: 220, right: 120, top: series.length > 1 ? 22 : 8, bottom: 42};
    const barHeight = 10;
    const rowHeight = Math.max(22, series.length * (barHeight + 1) + 8);
    const width = 660;
    const height = margin.top + rows.length * rowHeight + margin.bottom;
    const all = rows.flatMap((r) => r.values.flatMap((x) => [x.v, x.lo, x.hi])).filter((v) => v !== null && v !== undefined && Number.isFinite(v));
    const lo = Math.min(0, d3.min(all) ?? 0);
    const top = d3.max(all) ?? 1;
    const hi = top > lo ? top : lo + 1;  // all zero (no parameter worth measuring): a readable axis
    const x = d3.scaleLinear().domain([lo, hi]).nice().range([margin.left, width - margin.right]);
    const svg = figure(parent, kind, attrs, width, height, label, caption, chart);
    svg.append('g').selectAll('line').data(x.ticks(5)).join('line').attr('class', 'grid-line')
      .attr('x1', (d) => x(d)).attr('x2', (d) => x(d)).attr('y1', margin.top).attr('y2', height - margin.bottom);
    if (series.length > 1) {
      const legend = svg.append('g').attr('transform', `translate(${margin.left},8)`);
      series.forEach((se, k) => {
        legend.append('rect').attr('x', k * 150).attr('y', -4).attr('width', 10).attr('height', 10).attr('fill', se.color);
        legend.append('text').attr('x', k * 150 + 14).attr('y', 5).text(se.label);
      });
    }
    rows.forEach((r, i) => {
      const y0 = margin.top + i * rowHeight + 4;
      const g = svg.append('g').attr('class', 'factor').attr('data-name', r.name);
      const texts = [];
      r.values.forEach((val, k) => {
        if (val.v === null || val.v === undefined || !Number.isFinite(val.v)) return;
        const yy = y0 + k * (barHeight + 1);
        g.append('rect').attr('class', 'bar').attr('x', x(Math.min(0, val.v))).attr('y', yy).attr('height', barHeight)
          .attr('width', Math.max(0.5, Math.abs(x(val.v) - x(0)))).attr('fill', series[k].color);
        if (Number.isFinite(val.lo) && Number.isFinite(val.hi) && val.lo !== null && val.hi !== null) {
          g.append('line').attr('class', 'ci').attr('x1', x(val.lo)).attr('x2', x(val.hi))
            .attr('y1', yy + barHeight / 2).attr('y2', yy + barHeight / 2).attr('stroke', '#1d2430');
        }
        texts.push(`${series[k].label} ${format(val.v)}` + (val.lo !== null && val.hi !== null ? ` [${format(val.lo)}, ${format(val.hi)}]` : ''));
      });
      g.append('text').attr('x', margin.left - 8).attr('y', y0 + 9).attr('text-anchor', 'end').text(truncate(r.name, 32));
      g.append('text').attr('x', width - margin.right + 8).attr('y', y0 + 9).attr('font-size', 10.5).attr('fill', '#5b6474')
        .text(r.values.map((val) => format(val.v)).join(' · '));
      g.append('title').text(`${r.name}: ${texts.join('; ')}`);
    });
    xAxis(svg.append('g'), x, 5, axisLabel, width - margin.right, height - margin.bottom + 4);
    return svg;
  }

  /** The probabilistic tornado of one mode: for each parameter a bar from the output's mean with
   *  the parameter in its lowest decile to its mean with it in its highest decile. */
  function tornadoChart(parent, d, mode) {
    const unit = prettyUnit(d.unit);
    const rows = d.tornado.filter((t) => t.mode === mode && Number.isFinite(t.low) && Number.isFinite(t.high) && t.low !== null && t.high !== null)
      .sort((a, b) => Math.abs(b.high - b.low) - Math.abs(a.high - a.low)).slice(0, 12);
    if (!rows.length) return;
    const m = d.modes.find((x) => x.id === mode);
    const center = m ? m.mean : null;
    const margin = {left: 220, right: 120, top: 22, bottom: 42};
    const rowHeight = 22;
    const width = 660;
    const height = margin.top + rows.length * rowHeight + margin.bottom;
    const values = rows.flatMap((t) => [t.low, t.high]).concat(center === null ? [] : [center]);
    let domain = d3.extent(values);
    if (domain[0] === domain[1]) domain = [domain[0] - 1, domain[1] + 1];
    const x = d3.scaleLinear().domain(domain).nice().range([margin.left, width - margin.right]);
    const caption = `Probabilistic tornado of ${escapeHtml(shortName(d.output))} under ${escapeHtml(modeName(mode))}: each bar runs from the ` +
      'mean over the runs in which the parameter lies in its lowest 10 % (light end) to the mean over those in which it lies in its highest ' +
      '10 % (dark end), every other parameter keeping its distribution' + (center === null ? '' : `; the vertical line is the overall mean, ${escapeHtml(withUnit(center, d.unit))}`) +
      '. Longest bars first: the parameters whose extremes move the expected outcome most.';
    const svg = figure(parent, 'tornado', {output: d.output, mode}, width, height,
      `Probabilistic tornado of ${d.output} for ${mode}`, caption, 'decision_tornado');
    const legend = svg.append('g').attr('transform', `translate(${margin.left},8)`);
    legend.append('rect').attr('y', -4).attr('width', 10).attr('height', 10).attr('fill', '#9cc3ea');
    legend.append('text').attr('x', 14).attr('y', 5).text('lowest decile');
    legend.append('rect').attr('x', 120).attr('y', -4).attr('width', 10).attr('height', 10).attr('fill', '#1f5fa8');
    legend.append('text').attr('x', 134).attr('y', 5).text('highest decile');
    rows.forEach((t, i) => {
      const y0 = margin.top + i * rowHeight + 4;
      const g = svg.append('g').attr('class', 'factor').attr('data-name', t.parameter);
      const c = center === null ? (t.low + t.high) / 2 : center;
      for (const [v, color, cls] of [[t.low, '#9cc3ea', 'bar-low'], [t.high, '#1f5fa8', 'bar-high']]) {
        g.append('rect').attr('class', 'bar ' + cls).attr('x', Math.min(x(c), x(v))).attr('y', y0).attr('height', 13)
          .attr('width', Math.max(0.5, Math.abs(x(v) - x(c)))).attr('fill', color);
      }
      g.append('text').attr('x', margin.left - 8).attr('y', y0 + 10).attr('text-anchor', 'end').text(truncate(t.parameter, 32));
      g.append('text').attr('x', width - margin.right + 8).attr('y', y0 + 10).attr('font-size', 10.5).attr('fill', '#5b6474')
        .text(`${fmt(t.low)} → ${fmt(t.high)}`);
      g.append('title').text(`${t.parameter}${prettyUnit(t.parameter_unit) ? ' [' + prettyUnit(t.parameter_unit) + ']' : ''}: mean ${withUnit(t.low, d.unit)} ` +
        `in its lowest decile (CI ${fmt(t.low_ci[0])} to ${fmt(t.low_ci[1])}), ${withUnit(t.high, d.unit)} in its highest (CI ${fmt(t.high_ci[0])} to ${fmt(t.high_ci[1])})`);
    });
    if (center !== null) {
      svg.append('line').attr('class', 'center').attr('x1', x(center)).attr('x2', x(center)).attr('y1', margin.top)
        .attr('y2', height - margin.bottom).attr('stroke', '#1d2430').attr('stroke-width', 1.2);
    }
    xAxis(svg.append('g'), x, 5, `mean of ${shortName(d.output)}${unit ? ' [' + unit + ']' : ''}`, width - margin.right, height - margin.bottom + 4);
  }

  function renderDecision() {
    const dec = DATA.decision;
    if (!dec || !dec.decisions || !dec.decisions.length) return;
    const s = section('decision', 'Which mode to choose?',
      'The decision between the modes from the Monte Carlo runs: the mode with the best expected value, how often each mode is the best, ' +
      'what perfect information would be worth (EVPI) and which parameter is worth measuring first (EVPPI, in the same money or physical ' +
      'unit as the output), and what moves the expected outcome. Intervals are 95 % confidence intervals.');
    for (const d of dec.decisions) {
      const unit = prettyUnit(d.unit);
      const unitLabel = unit ? ` [${unit}]` : '';
      const card = s.append('div').attr('class', 'card mode-block decision-block').attr('data-output', d.output).attr('data-direction', d.direction);
      card.append('h3').html(`${escapeHtml(shortName(d.output))}${unitTag(d.unit)} — ${d.direction === 'min' ? 'smaller' : 'larger'} is better`);
      card.append('p').attr('class', 'desc').html(`<span class="mono">${escapeHtml(d.output)}</span>` +
        (Number.isFinite(d.runs_used) ? ` · ${fmtInt(d.runs_used)} runs used` : '') +
        (d.runs_excluded > 0 ? ` · <span class="bad">${fmtInt(d.runs_excluded)} runs excluded (some mode failed)</span>` : ''));
      if (d.reason || d.best_mode === null) {
        card.append('p').attr('class', 'note').text(`Not computed: ${d.reason || 'too few runs'}`);
        continue;
      }
      const best = d.modes.find((m) => m.id === d.best_mode) || {};
      const top = d.evppi.filter((e) => !e.zero).slice(0, 3);
      const lead = card.append('p').attr('class', 'lead decision-lead');
      lead.html(`Best mode: <b>${escapeHtml(modeName(d.best_mode))}</b>, expected ${escapeHtml(shortName(d.output))} ` +
        `<b>${escapeHtml(withUnit(best.mean, d.unit))}</b>; it is the best mode in <b>${pct(best.p_best)}</b> of the runs. ` +
        `Expected value of perfect information (EVPI): <b>${escapeHtml(withUnit(d.evpi.value, d.unit))}</b> ` +
        `(CI ${escapeHtml(fmt(d.evpi.ci[0]))} to ${escapeHtml(withUnit(d.evpi.ci[1], d.unit))}) — the most that removing all uncertainty could add. ` +
        (top.length ? 'Measure first: ' + top.map((e) => `<span class="mono">${escapeHtml(e.factor)}</span> (EVPPI ${escapeHtml(withUnit(e.value, d.unit))})`).join(', ') + '.'
          : 'No single parameter or group has an EVPPI distinguishable from zero.'));
      const left = (text) => ({html: escapeHtml(text), cls: 'text'});
      table(card, [left('Mode'), `Mean${unitLabel}`, `95 % CI${unitLabel}`, 'P(best)', 'P(best) 95 % CI'], d.modes.map((m) => [
        {html: `<span class="swatch" style="background:${modeColor(m.id)}"></span>${escapeHtml(modeName(m.id))}` +
          (m.id === d.best_mode ? ' <b>(best)</b>' : ''), cls: 'text'},
        fmt(m.mean), `${fmt(m.mean_ci[0])} – ${fmt(m.mean_ci[1])}`, pct(m.p_best), `${pct(m.p_best_ci[0])} – ${pct(m.p_best_ci[1])}`]), 'data decision-table');
      // Charts in a grid of ~660 px columns, so that one alone keeps its size.
      const pair = card.append('div').attr('class', 'grid');
      intervalBars(pair.append('div'), 'pbest', {output: d.output}, d.modes.map((m) => ({name: modeName(m.id), values: [{v: m.p_best, lo: m.p_best_ci[0], hi: m.p_best_ci[1]}]})),
        [{label: 'P(best)', color: '#1f5fa8'}], 'probability of being the best mode', `P(best) per mode for ${d.output}`,
        'Share of runs in which each mode gives the best value of ' + escapeHtml(shortName(d.output)) + ' (ties go to the first mode); whiskers: 95 % interval.',
        'decision_modes', pct);
      const evppi = d.evppi.slice(0, 15);
      if (evppi.length) {
        intervalBars(pair.append('div'), 'evppi', {output: d.output}, evppi.map((e) => ({name: e.factor + (e.kind === 'group' ? ' (group)' : ''),
          values: [{v: e.value, lo: e.ci[0], hi: e.ci[1]}]})), [{label: 'EVPPI', color: '#59a14f'}],
        `EVPPI${unitLabel}`, `EVPPI per parameter for ${d.output}`,
        `Expected value of partial perfect information: how much ${escapeHtml(shortName(d.output))} the decision would gain, on average, if this ` +
          'parameter (or group) were known before choosing — measure the longest bar first. Bounded by the EVPI ' +
          `(${escapeHtml(withUnit(d.evpi.value, d.unit))}); whiskers: 95 % interval.` + (d.evppi.length > evppi.length ? ` The ${d.evppi.length - evppi.length} others are smaller.` : ''),
        'decision_evppi');
      }
      const row = card.append('div').attr('class', 'grid');
      tornadoChart(row.append('div'), d, d.best_mode);
      const imp = d.importance.filter((x) => x.mode === d.best_mode && (x.first_order !== undefined || x.delta !== undefined))
        .sort((a, b) => (b.first_order ?? b.delta ?? 0) - (a.first_order ?? a.delta ?? 0)).slice(0, 12);
      const sh = DATA.shapley && DATA.shapley.results.find((r) => r.mode === d.best_mode && r.output === d.output);
      if (imp.length || sh) {
        if (imp.length) {
          const hasDelta = imp.some((x) => x.delta !== undefined);
          const series = [{label: 'first-order index', color: '#1f5fa8'}].concat(hasDelta ? [{label: 'δ (moment-independent)', color: '#f28e2b'}] : []);
          const val = (v, ci) => (v === undefined ? {v: null, lo: null, hi: null} : {v, lo: ci[0], hi: ci[1]});
          intervalBars(row.append('div'), 'importance', {output: d.output, mode: d.best_mode}, imp.map((x) => ({name: x.parameter,
            values: [val(x.first_order, x.first_order_ci || [null, null])].concat(hasDelta ? [val(x.delta, x.delta_ci || [null, null])] : [])})), series,
          'index (share, dimensionless)', `First-order index and delta of ${d.output} for ${d.best_mode}`,
          `What drives ${escapeHtml(shortName(d.output))} under ${escapeHtml(modeName(d.best_mode))}, from the same runs: the first-order index (share of the variance ` +
            'explained by the parameter alone) and Borgonovo\'s δ (how far the whole distribution shifts when the parameter is known). Whiskers: 95 % intervals.',
          'importance');
        }
        if (sh) {
          const list = [...sh.parameters].sort((a, b) => (b.value ?? 0) - (a.value ?? 0)).slice(0, 12);
          intervalBars(row.append('div'), 'shapley', {output: d.output, mode: d.best_mode}, list.map((p) => ({name: p.name, values: [{v: p.value, lo: p.ci[0], hi: p.ci[1]}]})),
            [{label: 'Shapley effect', color: '#b07aa1'}], 'Shapley effect (share of variance, dimensionless)', `Shapley effects of ${d.output} for ${d.best_mode}`,
            `Shapley effects of ${escapeHtml(shortName(d.output))} under ${escapeHtml(modeName(d.best_mode))} from the Shapley sensitivity run: each parameter's fair ` +
              'share of the variance, interactions and correlations included; they sum to 1.', 'shapley');
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------
  // Flows: Sankey diagrams

  /** d3-sankey lays out acyclic graphs only. A loop (AD gets heat from the CHP and sends it
   *  biogas) is cut at its smallest flow, which is drawn into a copy of its target named
   *  "<unit> ↺": unit pairs are added largest flow first and a pair that would close a cycle
   *  becomes such a return flow (ties: the order a depth-first walk from the sources meets them). */
  function breakCycles(links) {
    const out = new Map();
    const order = [];
    const add = (id) => { if (!out.has(id)) { out.set(id, []); order.push(id); } };
    links.forEach((l, i) => { add(l.source); add(l.target); out.get(l.source).push(i); });
    const seq = new Array(links.length).fill(Infinity);
    let counter = 0;
    const seen = new Set();
    const walk = (start) => {
      const stack = [start];
      seen.add(start);
      while (stack.length) {
        const id = stack.pop();
        for (const i of out.get(id)) {
          if (seq[i] === Infinity) seq[i] = counter++;
          const next = links[i].target;
          if (!seen.has(next)) { seen.add(next); stack.push(next); }
        }
      }
    };
    const inflow = new Set(links.map((l) => l.target));
    for (const id of order) if (!inflow.has(id) && !seen.has(id)) walk(id);
    for (const id of order) if (!seen.has(id)) walk(id);
    const pairs = new Map();
    links.forEach((l, i) => {
      const key = l.source + '\u0000' + l.target;
      const p = pairs.get(key) || {source: l.source, target: l.target, value: 0, seq: Infinity};
      p.value += l.value;
      p.seq = Math.min(p.seq, seq[i]);
      pairs.set(key, p);
    });
    const rounded = (v) => Number(v.toPrecision(4));
    const sorted = [...pairs.values()].sort((a, b) => rounded(b.value) - rounded(a.value) || a.seq - b.seq);
    const forward = new Map();
    const reaches = (from, to) => {
      const stack = [from];
      const visited = new Set([from]);
      while (stack.length) {
        const id = stack.pop();
        if (id === to) return true;
        for (const next of forward.get(id) || []) if (!visited.has(next)) { visited.add(next); stack.push(next); }
      }
      return false;
    };
    const loops = new Set();
    for (const p of sorted) {
      if (p.source === p.target || reaches(p.target, p.source)) loops.add(p.source + '\u0000' + p.target);
      else forward.set(p.source, (forward.get(p.source) || []).concat(p.target));
    }
    const result = links.map((l) => (loops.has(l.source + '\u0000' + l.target) ? {...l, target: l.target + ' ↺', loop: true} : l));
    const nodes = [];
    const ids = new Set();
    for (const l of result) for (const id of [l.source, l.target]) if (!ids.has(id)) { ids.add(id); nodes.push({id}); }
    return {nodes, links: result};
  }

  const commodityColor = (() => {
    const names = new Set();
    if (DATA.flows) for (const m of DATA.flows.modes) for (const l of m.links) names.add(l.commodity);
    const sorted = [...names].sort();
    const palette = d3.schemeTableau10.concat(d3.schemeSet3, d3.schemePastel1);
    const fixed = {electricity: '#f2c12e', heat: '#e15759', steam: '#ff9da7', straw: '#b5a642', coal: '#555555'};
    const map = new Map();
    let i = 0;
    for (const n of sorted) map.set(n, fixed[n] || palette[i++ % palette.length]);
    return (n) => map.get(n) || '#999';
  })();

  function sankeyChart(parent, mode, view) {
    const unit = view === 'mass' ? 't/h' : 'MJ/h';
    const raw = mode.links.filter((l) => l[view] !== null && l[view] > 0);
    const title = view === 'mass' ? 'Material flows' : 'Energy flows';
    if (!raw.length) {
      parent.append('div').append('p').attr('class', 'note').text(`${title}: none in this mode.`);
      return;
    }
    const {nodes, links} = breakCycles(raw.map((l) => ({source: l.from, target: l.to, value: l[view], flow: l})));
    const width = 640;
    const height = Math.max(260, Math.min(820, nodes.length * 38));
    const caption = view === 'mass'
      ? `<b>${title}</b> of ${escapeHtml(modeName(mode.id))} at nominal inputs: band width ∝ mass flow in t/h (${raw.length} flows that carry mass). ` +
        'Nodes are units and markets; "↺" marks a flow back into an upstream unit (a loop), drawn into a copy of that unit.'
      : `<b>${title}</b> of ${escapeHtml(modeName(mode.id))} at nominal inputs: band width ∝ energy flow in MJ/h (${raw.length} flows; ` +
        'electricity counted at 3,600 MJ per MWh). The gap between a unit\'s inflow and outflow is its conversion loss.';
    const svg = figure(parent, 'sankey', {mode: mode.id, view}, width, height, `${title} of ${modeName(mode.id)} (${unit})`, caption, 'sankey');
    const layout = d3.sankey().nodeId((d) => d.id).nodeWidth(12).nodePadding(20).nodeAlign(d3.sankeyJustify)
      .extent([[1, 8], [width - 1, height - 8]]);
    const graph = layout({nodes: nodes.map((d) => ({...d})), links: links.map((d) => ({...d}))});
    svg.append('g').attr('fill', 'none').selectAll('path').data(graph.links).join('path')
      .attr('class', (d) => 'link' + (d.flow && d.loop ? ' loop' : ''))
      .attr('d', d3.sankeyLinkHorizontal())
      .attr('stroke', (d) => commodityColor(d.flow.commodity))
      .attr('stroke-opacity', 0.5)
      .attr('stroke-width', (d) => Math.max(1, d.width))
      .append('title')
      .text((d) => `${prettyId(d.flow.commodity)}: ${prettyId(d.flow.from)} → ${prettyId(d.flow.to)}\n` +
        `${fmt(d.value)} ${unit}` + (view === 'mass' && d.flow.energy !== null ? ` (${fmt(d.flow.energy)} MJ/h)` : '') +
        (d.flow.unit && d.flow.unit !== unit ? ` — ${fmt(d.flow.quantity)} ${prettyUnit(d.flow.unit)}` : ''));
    const node = svg.append('g').selectAll('g').data(graph.nodes).join('g');
    node.append('rect').attr('class', 'node')
      .attr('x', (d) => d.x0).attr('y', (d) => d.y0)
      .attr('width', (d) => d.x1 - d.x0).attr('height', (d) => Math.max(1, d.y1 - d.y0))
      .attr('fill', '#3b4a5e')
      .append('title').text((d) => `${prettyId(d.id)}: ${fmt(d.value)} ${unit}`);
    const label = node.append('text')
      .attr('x', (d) => (d.x0 < width / 2 ? d.x1 + 5 : d.x0 - 5))
      .attr('y', (d) => (d.y0 + d.y1) / 2)
      .attr('text-anchor', (d) => (d.x0 < width / 2 ? 'start' : 'end'));
    label.append('tspan').attr('x', (d) => (d.x0 < width / 2 ? d.x1 + 5 : d.x0 - 5)).attr('dy', '-0.15em')
      .attr('font-weight', 600).text((d) => prettyId(d.id));
    label.append('tspan').attr('x', (d) => (d.x0 < width / 2 ? d.x1 + 5 : d.x0 - 5)).attr('dy', '1.15em')
      .attr('fill', '#5b6474').text((d) => `${fmt(d.value)} ${unit}`);
  }

  function renderFlows() {
    if (!DATA.flows || !DATA.flows.modes.length) return;
    const s = section('flows', 'Material and energy flows',
      'What each mode moves between the units of the park, at the nominal value of every parameter (the balance, not the ' +
      'Monte Carlo runs). Left: material flows in t/h; right: energy flows in MJ/h.');
    const used = new Set();
    for (const m of DATA.flows.modes) for (const l of m.links) used.add(l.commodity);
    const legend = s.append('div').attr('class', 'legend');
    for (const c of [...used].sort()) {
      const item = legend.append('span');
      item.append('span').attr('class', 'swatch').style('background', commodityColor(c));
      item.append('span').text(prettyId(c));
    }
    for (const mode of DATA.flows.modes) {
      const block = s.append('div').attr('class', 'mode-block card').attr('id', 'flows-' + mode.id);
      const h = block.append('h3').text(modeName(mode.id));
      h.append('span').attr('class', 'status' + (mode.status === 'ok' ? '' : ' bad')).text(mode.status === 'ok' ? 'balance ok' : mode.status);
      const pair = block.append('div').attr('class', 'pair');
      sankeyChart(pair.append('div'), mode, 'mass');
      sankeyChart(pair.append('div'), mode, 'energy');
    }
  }

  // ------------------------------------------------------------------------------------
  // Distributions: ridgeline histograms and interval plots

  function histogramChart(parent, output) {
    const h = DATA.uncertainty.histograms && DATA.uncertainty.histograms.find((x) => x.output === output);
    if (!h) return;
    const rows = h.modes.filter((m) => m.total > 0);
    if (!rows.length) return;
    const info = outputInfo(output);
    const margin = {left: 176, right: 18, top: 10, bottom: 40};
    const rowHeight = 50;
    const width = 660;
    const height = margin.top + rows.length * rowHeight + margin.bottom;
    const x = d3.scaleLinear().domain([h.low, h.high]).range([margin.left, width - margin.right]);
    const binWidth = (h.high - h.low) / h.bins;
    const caption = `Distribution of ${escapeHtml(shortName(output))} in each mode over ${fmtInt(DATA.uncertainty.runs)} runs: ` +
      'bar height ∝ share of runs in that range (each row scaled to its own peak). Dashed lines: P5 and P95 (90 % of runs lie between); ' +
      'solid line: the median P50. A single spike = the output does not vary in that mode.';
    const svg = figure(parent, 'histogram', {output}, width, height, `Distribution of ${output} per mode`, caption, 'histograms');
    const ticks = x.ticks(6);
    svg.append('g').selectAll('line').data(ticks).join('line').attr('class', 'grid-line')
      .attr('x1', (d) => x(d)).attr('x2', (d) => x(d)).attr('y1', margin.top).attr('y2', height - margin.bottom);
    rows.forEach((row, i) => {
      const st = NS.stat(row.mode, output);
      const g = svg.append('g').attr('class', 'ridge').attr('data-mode', row.mode)
        .attr('transform', `translate(0,${margin.top + i * rowHeight})`);
      const peak = d3.max(row.counts) || 1;
      const y = d3.scaleLinear().domain([0, peak]).range([rowHeight - 6, 6]);
      const bins = row.counts.map((c, j) => ({c, lo: h.low + j * binWidth, hi: h.low + (j + 1) * binWidth})).filter((b) => b.c > 0);
      g.append('line').attr('x1', margin.left).attr('x2', width - margin.right).attr('y1', rowHeight - 6).attr('y2', rowHeight - 6).attr('stroke', '#c3cad4');
      g.selectAll('rect.bar').data(bins).join('rect').attr('class', 'bar')
        .attr('x', (b) => x(b.lo)).attr('width', (b) => Math.max(1.2, x(b.hi) - x(b.lo) - 0.3))
        .attr('y', (b) => y(b.c)).attr('height', (b) => rowHeight - 6 - y(b.c))
        .attr('fill', modeColor(row.mode)).attr('fill-opacity', 0.8)
        .append('title').text((b) => `${modeName(row.mode)}: ${fmt(b.lo)} to ${fmt(b.hi)} ${prettyUnit(info.unit)} — ${pct(b.c / row.total)} of runs`);
      if (st) {
        const marks = [['P5', st.q.p5, '4 3'], ['P50', st.q.p50, null], ['P95', st.q.p95, '4 3']];
        for (const [label, v, dash] of marks) {
          if (v === null) continue;
          g.append('line').attr('class', 'q').attr('data-q', label)
            .attr('x1', x(v)).attr('x2', x(v)).attr('y1', 2).attr('y2', rowHeight - 4)
            .attr('stroke', '#1d2430').attr('stroke-width', label === 'P50' ? 1.6 : 1).attr('stroke-dasharray', dash)
            .append('title').text(`${modeName(row.mode)} ${label}: ${withUnit(v, info.unit)}`);
        }
        g.append('text').attr('x', Math.min(x(st.q.p95) + 4, width - margin.right - 60)).attr('y', 12).attr('font-size', 10).attr('fill', '#5b6474')
          .text(`P5 ${fmt(st.q.p5)} · P50 ${fmt(st.q.p50)} · P95 ${fmt(st.q.p95)}`)
          .attr('text-anchor', x(st.q.p95) > width - 230 ? 'end' : 'start')
          .attr('x', x(st.q.p95) > width - 230 ? x(st.q.p5) - 4 : x(st.q.p95) + 4);
      }
      g.append('text').attr('x', margin.left - 8).attr('y', rowHeight / 2).attr('text-anchor', 'end').attr('font-weight', 600)
        .text(truncate(modeName(row.mode), 26)).append('title').text(modeName(row.mode));
      if (st) g.append('text').attr('x', margin.left - 8).attr('y', rowHeight / 2 + 13).attr('text-anchor', 'end').attr('fill', '#5b6474')
        .attr('font-size', 10).text(`mean ${fmt(st.mean)}`);
    });
    xAxis(svg.append('g'), x, 6, prettyUnit(info.unit), width - margin.right, height - margin.bottom + 4);
  }

  function boxChart(parent, output) {
    const info = outputInfo(output);
    const rows = DATA.modes.map((m) => NS.stat(m.id, output)).filter((s) => s && s.runs_ok > 0 && s.q.p50 !== null);
    if (!rows.length) return;
    const thresholds = [...new Set(rows.flatMap((s) => s.thresholds.map((t) => t.value)))];
    const lo = d3.min(rows, (s) => Math.min(s.q.p5, s.ci[0] ?? s.mean));
    const hi = d3.max(rows, (s) => Math.max(s.q.p95, s.ci[1] ?? s.mean));
    let domain = [Math.min(lo, ...thresholds), Math.max(hi, ...thresholds)];
    if (domain[0] === domain[1]) domain = [domain[0] - 1, domain[1] + 1];
    const pad = (domain[1] - domain[0]) * 0.04;
    const margin = {left: 176, right: 132, top: 12, bottom: 40};
    const rowHeight = 28;
    const width = 660;
    const height = margin.top + rows.length * rowHeight + margin.bottom;
    const x = d3.scaleLinear().domain([domain[0] - pad, domain[1] + pad]).nice().range([margin.left, width - margin.right]);
    const caption = 'Modes side by side: the line spans P5 to P95 (90 % of runs), the box P25 to P75 (the middle half), ' +
      'the bar inside it is the median and the dot the mean' + (thresholds.length ? '; the red dashed line is the threshold given with <code>--threshold</code>' : '') +
      '. Right: the share of runs with a value above 0' + (thresholds.length ? ' and above the threshold' : '') + '.';
    const svg = figure(parent, 'box', {output}, width, height, `Interval plot of ${output} per mode`, caption, 'distribution_summary');
    svg.append('g').selectAll('line').data(x.ticks(6)).join('line').attr('class', 'grid-line')
      .attr('x1', (d) => x(d)).attr('x2', (d) => x(d)).attr('y1', margin.top).attr('y2', height - margin.bottom);
    if (x.domain()[0] < 0 && x.domain()[1] > 0) {
      svg.append('line').attr('x1', x(0)).attr('x2', x(0)).attr('y1', margin.top).attr('y2', height - margin.bottom)
        .attr('stroke', '#7a8494').attr('stroke-width', 1);
    }
    rows.forEach((s, i) => {
      const cy = margin.top + i * rowHeight + rowHeight / 2;
      const g = svg.append('g').attr('class', 'box').attr('data-mode', s.mode);
      const color = modeColor(s.mode);
      g.append('line').attr('class', 'whisker').attr('x1', x(s.q.p5)).attr('x2', x(s.q.p95)).attr('y1', cy).attr('y2', cy)
        .attr('stroke', color).attr('stroke-width', 2);
      for (const v of [s.q.p5, s.q.p95]) g.append('line').attr('x1', x(v)).attr('x2', x(v)).attr('y1', cy - 5).attr('y2', cy + 5).attr('stroke', color).attr('stroke-width', 2);
      g.append('rect').attr('x', x(s.q.p25)).attr('width', Math.max(1.5, x(s.q.p75) - x(s.q.p25))).attr('y', cy - 8).attr('height', 16)
        .attr('fill', color).attr('fill-opacity', 0.35).attr('stroke', color);
      g.append('line').attr('x1', x(s.q.p50)).attr('x2', x(s.q.p50)).attr('y1', cy - 8).attr('y2', cy + 8).attr('stroke', '#1d2430').attr('stroke-width', 2);
      g.append('circle').attr('cx', x(s.mean)).attr('cy', cy).attr('r', 3.5).attr('fill', '#fff').attr('stroke', '#1d2430');
      g.append('title').text(`${modeName(s.mode)} — mean ${withUnit(s.mean, s.unit)} (CI ${fmt(s.ci[0])} to ${fmt(s.ci[1])}), sd ${fmt(s.sd)}\n` +
        `P5 ${fmt(s.q.p5)} · P25 ${fmt(s.q.p25)} · P50 ${fmt(s.q.p50)} · P75 ${fmt(s.q.p75)} · P95 ${fmt(s.q.p95)}`);
      g.append('text').attr('x', margin.left - 8).attr('y', cy + 4).attr('text-anchor', 'end').attr('font-weight', 600).text(truncate(modeName(s.mode), 26));
      const probs = [`>0: ${pct(s.p_pos)}`].concat(s.thresholds.map((t) => `>${fmt(t.value)}: ${pct(t.p)}`));
      g.append('text').attr('x', width - margin.right + 8).attr('y', cy + 4).attr('font-size', 10.5).attr('fill', '#5b6474').text(probs.join('  '));
    });
    for (const t of thresholds) {
      svg.append('line').attr('class', 'threshold').attr('x1', x(t)).attr('x2', x(t)).attr('y1', margin.top - 4).attr('y2', height - margin.bottom)
        .attr('stroke', '#b3261e').attr('stroke-dasharray', '5 3').attr('stroke-width', 1.4);
      svg.append('text').attr('x', x(t) + 3).attr('y', margin.top - 2).attr('fill', '#b3261e').attr('font-size', 10).text(`threshold ${fmt(t)}`);
    }
    xAxis(svg.append('g'), x, 6, prettyUnit(info.unit), width - margin.right, height - margin.bottom + 4);
  }

  function renderDistributions() {
    const u = DATA.uncertainty;
    if (!u) return;
    const s = section('distributions', 'How much can the outputs vary?',
      `Monte Carlo over the uncertain parameters: ${fmtInt(u.runs)} runs (method ${escapeHtml(u.method)}, seed ${escapeHtml(u.seed)}), ` +
      'every mode evaluated on the same parameter draws. For each output: the distribution in every mode (top), then the modes side by side (bottom).');
    const grid = s.append('div').attr('class', 'grid');
    for (const output of NS.outputOrder) {
      if (!DATA.modes.some((m) => NS.stat(m.id, output))) continue;
      const info = outputInfo(output);
      const card = grid.append('div').attr('class', 'card').attr('id', 'dist-' + output);
      card.append('h3').html(`${escapeHtml(shortName(output))}${unitTag(info.unit)}`);
      card.append('p').attr('class', 'desc').html(`<span class="mono">${escapeHtml(output)}</span>` + (info.description ? ' — ' + escapeHtml(info.description) : ''));
      histogramChart(card, output);
      boxChart(card, output);
    }
  }

  // ------------------------------------------------------------------------------------
  // Probabilities and thresholds, pairwise comparisons

  function thresholdChart(parent, output, value) {
    const info = outputInfo(output);
    const rows = [];
    for (const m of DATA.modes) {
      const s = NS.stat(m.id, output);
      const t = s && s.thresholds.find((t) => t.value === value);
      if (t) rows.push({mode: m.id, ...t});
    }
    if (!rows.length) return;
    const margin = {left: 176, right: 60, top: 8, bottom: 36};
    const rowHeight = 26;
    const width = 660;
    const height = margin.top + rows.length * rowHeight + margin.bottom;
    const x = d3.scaleLinear().domain([0, 1]).range([margin.left, width - margin.right]);
    const caption = `Share of runs in which ${escapeHtml(shortName(output))} exceeds ${escapeHtml(withUnit(value, info.unit))}, per mode; ` +
      `whiskers: ${Math.round(DATA.uncertainty.conf_level * 100)} % confidence interval of that share (it narrows with more runs).`;
    const svg = figure(parent, 'threshold', {output, threshold: value}, width, height, `P(${output} > ${value}) per mode`, caption, 'probabilities');
    svg.append('g').selectAll('line').data(x.ticks(5)).join('line').attr('class', 'grid-line')
      .attr('x1', (d) => x(d)).attr('x2', (d) => x(d)).attr('y1', margin.top).attr('y2', height - margin.bottom);
    rows.forEach((r, i) => {
      const cy = margin.top + i * rowHeight + rowHeight / 2;
      svg.append('rect').attr('class', 'prob').attr('x', x(0)).attr('y', cy - 8).attr('height', 16)
        .attr('width', Math.max(0.5, x(r.p) - x(0))).attr('fill', modeColor(r.mode))
        .append('title').text(`${modeName(r.mode)}: ${pct(r.p)} (CI ${pct(r.ci[0])} to ${pct(r.ci[1])})`);
      if (r.ci[0] !== null && r.ci[1] !== null) {
        svg.append('line').attr('x1', x(r.ci[0])).attr('x2', x(r.ci[1])).attr('y1', cy).attr('y2', cy).attr('stroke', '#1d2430');
      }
      svg.append('text').attr('x', margin.left - 8).attr('y', cy + 4).attr('text-anchor', 'end').attr('font-weight', 600).text(truncate(modeName(r.mode), 26));
      svg.append('text').attr('x', x(r.p) + 5).attr('y', cy + 4).attr('font-weight', 600).text(pct(r.p));
    });
    svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${height - margin.bottom + 4})`)
      .call(d3.axisBottom(x).ticks(5).tickFormat(d3.format('.0%')).tickSizeOuter(0));
  }

  function renderProbabilities() {
    const u = DATA.uncertainty;
    if (!u) return;
    const s = section('probabilities', 'How likely is a gain?',
      'P(&gt; 0): the share of runs in which an output is positive, for every output and mode (darker = more likely). ' +
      'Thresholds given with <code>--threshold OUTPUT=VALUE</code> get a chart of their own.');
    const modes = DATA.modes.filter((m) => NS.outputOrder.some((o) => NS.stat(m.id, o)));
    const shade = d3.scaleSequential((t) => d3.interpolateBlues(0.05 + 0.6 * t)).domain([0, 1]);
    const rows = [];
    for (const output of NS.outputOrder) {
      const info = outputInfo(output);
      const row = [{html: `${escapeHtml(shortName(output))}${unitTag(info.unit)}`, cls: 'text'}];
      let any = false;
      for (const m of modes) {
        const st = NS.stat(m.id, output);
        if (st) any = true;
        const p = st ? st.p_pos : null;
        row.push(p === null ? '–' : {html: pct(p), style: `background:${shade(p)};color:${p > 0.7 ? '#fff' : '#1d2430'}`});
      }
      if (any) rows.push(row);
    }
    const wrap = s.append('div').attr('class', 'card');
    wrap.append('h3').text('P(output > 0) per mode');
    table(wrap, ['Output'].concat(modes.map((m) => m.name)), rows, 'data prob-table');
    wrap.append('p').attr('class', 'desc').html('The numbers behind the table, with confidence intervals:' + csvLink('probabilities'));
    const pairs = [];
    for (const output of NS.outputOrder) {
      for (const m of DATA.modes) {
        const st = NS.stat(m.id, output);
        if (!st) continue;
        for (const t of st.thresholds) if (!pairs.some((p) => p.output === output && p.value === t.value)) pairs.push({output, value: t.value});
      }
    }
    if (pairs.length) {
      const grid = s.append('div').attr('class', 'grid').style('margin-top', '14px');
      for (const p of pairs) {
        const card = grid.append('div').attr('class', 'card');
        card.append('h3').html(`P(${escapeHtml(shortName(p.output))} &gt; ${escapeHtml(withUnit(p.value, outputInfo(p.output).unit))})`);
        thresholdChart(card, p.output, p.value);
      }
    }
  }

  function comparisonChart(parent, output, list) {
    const modes = DATA.modes.map((m) => m.id).filter((id) => list.some((c) => c.a === id || c.b === id));
    const rowModes = modes.filter((id) => list.some((c) => c.a === id));
    const colModes = modes.filter((id) => list.some((c) => c.b === id));
    const cell = 44;
    const margin = {left: 130, top: 64, right: 10, bottom: 10};
    const width = margin.left + colModes.length * cell + margin.right;
    const height = margin.top + rowModes.length * cell + margin.bottom;
    const color = d3.scaleDiverging(d3.interpolateRdBu).domain([0, 0.5, 1]);
    const svg = figure(parent, 'comparison', {output}, Math.max(width, 300), height, `P(row mode > column mode) for ${output}`,
      `Share of paired runs in which the row mode gives more ${escapeHtml(shortName(output))} than the column mode.`, 'comparisons');
    colModes.forEach((id, j) => {
      svg.append('text').attr('transform', `translate(${margin.left + j * cell + cell / 2},${margin.top - 6}) rotate(-35)`)
        .attr('font-size', 10.5).text(truncate(modeName(id), 18)).append('title').text(modeName(id));
    });
    rowModes.forEach((id, i) => {
      svg.append('text').attr('x', margin.left - 6).attr('y', margin.top + i * cell + cell / 2 + 4).attr('text-anchor', 'end')
        .attr('font-size', 10.5).text(truncate(modeName(id), 20)).append('title').text(modeName(id));
    });
    for (const c of list) {
      const i = rowModes.indexOf(c.a);
      const j = colModes.indexOf(c.b);
      const g = svg.append('g').attr('transform', `translate(${margin.left + j * cell},${margin.top + i * cell})`);
      g.append('rect').attr('class', 'cell').attr('width', cell - 2).attr('height', cell - 2)
        .attr('fill', c.p === null ? '#eee' : color(c.p)).attr('rx', 3);
      g.append('text').attr('x', (cell - 2) / 2).attr('y', (cell - 2) / 2 + 4).attr('text-anchor', 'middle').attr('font-size', 10.5)
        .attr('fill', c.p !== null && (c.p < 0.15 || c.p > 0.85) ? '#fff' : '#1d2430').text(pct(c.p).replace(' %', '%'));
      g.append('title').text(`P(${modeName(c.a)} > ${modeName(c.b)}) = ${pct(c.p)} (CI ${pct(c.ci[0])} to ${pct(c.ci[1])})\n` +
        `difference a − b: mean ${fmt(c.mean_diff)}, 90 % of runs between ${fmt(c.q5)} and ${fmt(c.q95)} ${prettyUnit(c.unit)}`);
    }
  }

  function renderComparisons() {
    const u = DATA.uncertainty;
    if (!u || !u.comparisons.length) return;
    const s = section('comparisons', 'Which mode is better, run by run?',
      'Cell in row <i>a</i>, column <i>b</i>: the share of runs in which mode <i>a</i> gives a higher value than mode <i>b</i>. ' +
      'Both modes are evaluated on the same parameter draws, so this is a paired comparison: 100 % (blue) means <i>a</i> is higher in ' +
      'every run, 0 % (red) that <i>b</i> always is, and 50 % (white) that the uncertainty decides. Hover a cell for the size of the difference.' +
      csvLink('comparisons'));
    const grid = s.append('div').attr('class', 'grid small');
    for (const output of NS.outputOrder) {
      const list = u.comparisons.filter((c) => c.output === output);
      if (!list.length) continue;
      const card = grid.append('div').attr('class', 'card');
      card.append('h3').html(`${escapeHtml(shortName(output))}${unitTag(outputInfo(output).unit)}`);
      comparisonChart(card, output, list);
    }
  }

  // ------------------------------------------------------------------------------------
  // Sensitivity: Sobol' indices, groups, convergence; Morris screening

  function indexBars(parent, kind, result, rows, chart) {
    const margin = {left: 220, right: 130, top: 22, bottom: 36};
    const rowHeight = 26;
    const width = 660;
    const height = margin.top + rows.length * rowHeight + margin.bottom;
    const lo = Math.min(0, d3.min(rows, (r) => Math.min(r.S1_low ?? 0, r.ST_low ?? 0)));
    const hi = Math.max(0.05, d3.max(rows, (r) => Math.max(r.S1_high ?? 0, r.ST_high ?? 0, r.ST ?? 0)));
    const x = d3.scaleLinear().domain([lo, hi]).nice().range([margin.left, width - margin.right]);
    const level = Math.round(DATA.sobol.conf_level * 100);
    let caption;
    if (kind === 'sobol') {
      caption = `Ranked by the total index <b>ST</b> (dark bar): the share of the variance of ${escapeHtml(shortName(result.output))} ` +
        'that involves the parameter, alone or together with others. <b>S1</b> (light bar): its effect alone. Whiskers: ' +
        `${level} % confidence intervals; "≈" = rank not resolved from the next one. ST near 0: fixing the parameter would hardly change the output.`;
      if (result.others.count > 0) {
        caption += result.others.max_ST > 0 ? ` The ${result.others.count} other parameters have ST ≤ ${fmt(result.others.max_ST, 2)}.`
          : ` The ${result.others.count} other parameters do not affect this output (ST = 0).`;
      }
      caption += ` Sum of S1 = ${fmt(result.sum_S1, 2)}` + (result.sum_S1 < 0.7 ? ' (well below 1: interactions matter).' : ' (close to 1: the effects mostly add up).');
    } else {
      caption = 'The same indices for groups of parameters (the <code>group</code> column of the distributions file), each group varied as one factor.';
    }
    const svg = figure(parent, kind, {mode: result.mode, output: result.output}, width, height,
      `${kind === 'sobol' ? 'Sobol indices' : 'Group Sobol indices'} of ${result.output} for ${result.mode}`, caption, chart);
    svg.append('g').selectAll('line').data(x.ticks(5)).join('line').attr('class', 'grid-line')
      .attr('x1', (d) => x(d)).attr('x2', (d) => x(d)).attr('y1', margin.top).attr('y2', height - margin.bottom);
    const legend = svg.append('g').attr('transform', `translate(${margin.left},8)`);
    legend.append('rect').attr('width', 10).attr('height', 10).attr('y', -4).attr('fill', '#1f5fa8');
    legend.append('text').attr('x', 14).attr('y', 5).text('ST total');
    legend.append('rect').attr('x', 80).attr('width', 10).attr('height', 10).attr('y', -4).attr('fill', '#9cc3ea');
    legend.append('text').attr('x', 94).attr('y', 5).text('S1 first-order');
    rows.forEach((r, i) => {
      const y0 = margin.top + i * rowHeight + 3;
      const g = svg.append('g').attr('class', 'factor').attr('data-name', r.name);
      g.append('rect').attr('class', 'bar-st').attr('x', x(Math.min(0, r.ST))).attr('y', y0).attr('height', 9)
        .attr('width', Math.max(0.5, Math.abs(x(r.ST) - x(0)))).attr('fill', '#1f5fa8');
      g.append('rect').attr('class', 'bar-s1').attr('x', x(Math.min(0, r.S1))).attr('y', y0 + 10).attr('height', 9)
        .attr('width', Math.max(0.5, Math.abs(x(r.S1) - x(0)))).attr('fill', '#9cc3ea');
      for (const [l, h, yy] of [[r.ST_low, r.ST_high, y0 + 4.5], [r.S1_low, r.S1_high, y0 + 14.5]]) {
        if (l === null || h === null) continue;
        g.append('line').attr('class', 'ci').attr('x1', x(l)).attr('x2', x(h)).attr('y1', yy).attr('y2', yy).attr('stroke', '#1d2430');
        for (const v of [l, h]) g.append('line').attr('x1', x(v)).attr('x2', x(v)).attr('y1', yy - 3).attr('y2', yy + 3).attr('stroke', '#1d2430');
      }
      g.append('text').attr('x', margin.left - 8).attr('y', y0 + 13).attr('text-anchor', 'end')
        .text(`${r.overlaps ? '≈' : ''}${Number.isFinite(r.rank) ? r.rank + '. ' : ''}${truncate(r.name, 30)}`);
      g.append('text').attr('x', width - margin.right + 8).attr('y', y0 + 13).attr('font-size', 10.5).attr('fill', '#5b6474')
        .text(`ST ${fmt(r.ST, 2)} · S1 ${fmt(r.S1, 2)}`);
      g.append('title').text(`${r.name}: ST ${fmt(r.ST)} [${fmt(r.ST_low)}, ${fmt(r.ST_high)}], S1 ${fmt(r.S1)} [${fmt(r.S1_low)}, ${fmt(r.S1_high)}]`);
    });
    svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${height - margin.bottom + 4})`)
      .call(d3.axisBottom(x).ticks(5).tickFormat(tickFormat(x, 5)).tickSizeOuter(0));
  }

  function convergenceChart(parent, result) {
    const lines = result.convergence.filter((l) => l.N.length > 0);
    if (!lines.length) return;
    const margin = {left: 48, right: 190, top: 12, bottom: 40};
    const width = 660;
    const height = 250;
    const ns = [...new Set(lines.flatMap((l) => l.N))].sort((a, b) => a - b);
    const x = ns.length > 1 ? d3.scaleLog().base(2).domain(d3.extent(ns)).range([margin.left, width - margin.right])
      : d3.scalePoint().domain(ns).range([margin.left, width - margin.right]).padding(0.5);
    const values = lines.flatMap((l) => [...l.ST_low, ...l.ST_high, ...l.ST, ...l.S1]).filter((v) => v !== null);
    const y = d3.scaleLinear().domain([Math.min(0, d3.min(values)), Math.max(0.05, d3.max(values))]).nice()
      .range([height - margin.bottom, margin.top]);
    const colors = d3.schemeTableau10;
    const caption = `How the indices of the ${lines.length} leading parameters settle as the number of base samples N doubles ` +
      `(the last point is the final estimate, N = ${fmtInt(ns[ns.length - 1])}). Solid line and band: ST with its confidence interval; dashed: S1. ` +
      'Flat lines with narrowing bands mean N was large enough to rank these parameters.';
    const svg = figure(parent, 'convergence', {mode: result.mode, output: result.output}, width, height,
      `Convergence of the Sobol indices of ${result.output} for ${result.mode}`, caption, 'sobol_convergence');
    svg.append('g').selectAll('line').data(y.ticks(5)).join('line').attr('class', 'grid-line')
      .attr('x1', margin.left).attr('x2', width - margin.right).attr('y1', (d) => y(d)).attr('y2', (d) => y(d));
    lines.forEach((l, k) => {
      const color = colors[k % colors.length];
      const pts = l.N.map((n, i) => ({n, st: l.ST[i], lo: l.ST_low[i], hi: l.ST_high[i], s1: l.S1[i]}));
      const g = svg.append('g').attr('class', 'series').attr('data-name', l.name);
      const band = pts.filter((p) => p.lo !== null && p.hi !== null);
      g.append('path').attr('class', 'conv-band').attr('fill', color).attr('fill-opacity', 0.13)
        .attr('d', d3.area().x((p) => x(p.n)).y0((p) => y(p.lo)).y1((p) => y(p.hi))(band));
      g.append('path').attr('class', 'conv-line').attr('fill', 'none').attr('stroke', color).attr('stroke-width', 2)
        .attr('d', d3.line().defined((p) => p.st !== null).x((p) => x(p.n)).y((p) => y(p.st))(pts));
      g.append('path').attr('class', 'conv-s1').attr('fill', 'none').attr('stroke', color).attr('stroke-width', 1.2).attr('stroke-dasharray', '4 3')
        .attr('d', d3.line().defined((p) => p.s1 !== null).x((p) => x(p.n)).y((p) => y(p.s1))(pts));
      g.selectAll('circle').data(pts.filter((p) => p.st !== null)).join('circle').attr('cx', (p) => x(p.n)).attr('cy', (p) => y(p.st)).attr('r', 2.5)
        .attr('fill', color).append('title').text((p) => `${l.name}, N = ${fmtInt(p.n)}: ST ${fmt(p.st)} [${fmt(p.lo)}, ${fmt(p.hi)}], S1 ${fmt(p.s1)}`);
      const last = pts[pts.length - 1];
      svg.append('text').attr('x', width - margin.right + 8).attr('y', margin.top + 12 + k * 16).attr('fill', color).attr('font-weight', 600)
        .text(`${truncate(l.name, 26)}`).append('title').text(`${l.name}: ST ${fmt(last.st)}`);
    });
    const axis = d3.axisBottom(x).tickSizeOuter(0);
    if (ns.length > 1) axis.tickValues(ns).tickFormat((d) => fmtInt(d));
    svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${height - margin.bottom})`).call(axis)
      .append('text').attr('class', 'axis-label').attr('x', width - margin.right).attr('y', 32).attr('text-anchor', 'end').text('base samples N (log scale)');
    svg.append('g').attr('class', 'axis').attr('transform', `translate(${margin.left},0)`).call(d3.axisLeft(y).ticks(5).tickFormat(tickFormat(y, 5)))
      .append('text').attr('class', 'axis-label').attr('x', 0).attr('y', margin.top - 2).attr('text-anchor', 'start').text('index');
  }

  function modeSelector(parent, id, modes, selected, onChange) {
    const label = parent.append('label').attr('class', 'controls').text('Mode:');
    const select = label.append('select').attr('id', id);
    select.selectAll('option').data(modes).join('option').attr('value', (d) => d).text((d) => modeName(d))
      .property('selected', (d) => d === selected);
    select.on('change', (event) => onChange(event.target.value));
  }

  function defaultMode(modes) {
    const focus = DATA.focus && DATA.focus.mode;
    if (focus && modes.includes(focus)) return focus;
    return modes.find((m) => m !== 'independent') || modes[0];
  }

  // A mode selector above a grid with one card per output of the chosen mode; `fill` draws a
  // card's body from the output's result (found in `lookup` by mode and output).
  function modeCards(s, id, modes, lookup, fill) {
    const selector = s.append('div');
    const holder = s.append('div');
    const draw = (mode) => {
      holder.selectAll('*').remove();
      const grid = holder.append('div').attr('class', 'grid');
      for (const output of NS.outputOrder) {
        const r = lookup.get(mode + '\u0000' + output);
        if (!r) continue;
        const card = grid.append('div').attr('class', 'card');
        card.append('h3').html(`${escapeHtml(shortName(output))}${unitTag(r.unit)}`);
        fill(card, r, mode);
      }
    };
    modeSelector(selector, id, modes, defaultMode(modes), draw);
    draw(defaultMode(modes));
  }

  function renderSobol() {
    const sob = DATA.sobol;
    if (!sob) return;
    const level = Math.round(sob.conf_level * 100);
    const s = section('sobol', 'What drives the uncertainty? (Sobol\' indices)',
      `Variance-based sensitivity: N = ${fmtInt(sob.base_runs)} base samples, ${fmtInt(sob.model_runs)} model runs, ` +
      `${sob.n_parameters} parameters${sob.groups ? ` in ${sob.n_groups} groups` : ''}; S1 after ${escapeHtml((sob.estimators && sob.estimators.S1) || 'Saltelli et al. 2010')}, ` +
      `ST after ${escapeHtml((sob.estimators && sob.estimators.ST) || 'Jansen 1999')}; ${level} % intervals (${escapeHtml(String(sob.interval_method).replace(/_/g, ' '))}). ` +
      'Choose a mode; each output shows its leading parameters, ' + (sob.groups ? 'the parameter groups, ' : '') + 'and how the indices converged.' +
      (sob.correlation_ignored ? ' <b class="bad">The inputs\' rank correlations were ignored for these indices.</b>' : ''));
    const modes = [...new Set(sob.results.map((r) => r.mode))];
    modeCards(s, 'sobol-mode', modes, NS.sobol, (card, r, mode) => {
      if (r.zero_variance || !r.parameters.length) {
        card.append('p').attr('class', 'note').text(`Does not vary in ${modeName(mode)}: its indices are 0 by definition.`);
        return;
      }
      if (r.dropped > 0) card.append('p').attr('class', 'desc bad').text(`${fmtInt(r.dropped)} base samples dropped (failed runs).`);
      if (r.warning) card.append('p').attr('class', 'desc bad').text(r.warning);
      const byRank = (list) => [...list].sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || b.ST - a.ST);
      card.append('h4').text(`Leading parameters (${r.parameters.length} of ${r.parameters.length + r.others.count}, by ST)`);
      indexBars(card, 'sobol', r, byRank(r.parameters), 'sobol_indices');
      if (r.groups.length) {
        card.append('h4').text(`Parameter groups (${r.groups.length})`);
        indexBars(card, 'sobol-groups', r, byRank(r.groups), 'sobol_groups');
      }
      if (r.convergence.length) {
        card.append('h4').text('Convergence with the number of base samples N');
        convergenceChart(card, r);
      }
    });
  }

  function morrisChart(parent, r) {
    const names = DATA.morris.parameters;
    const pts = names.map((name, i) => ({name, mu: r.mu_star[i], sigma: r.sigma[i], rank: r.rank[i]}))
      .filter((p) => Number.isFinite(p.mu) && Number.isFinite(p.sigma));
    const max = Math.max(d3.max(pts, (p) => p.mu) || 0, d3.max(pts, (p) => p.sigma) || 0);
    if (!(max > 0)) {
      parent.append('p').attr('class', 'note').text(`Does not vary in ${modeName(r.mode)}: every elementary effect is 0.`);
      return;
    }
    const margin = {left: 56, right: 20, top: 14, bottom: 42};
    const width = 660;
    const height = 330;
    const x = d3.scaleLinear().domain([0, d3.max(pts, (p) => p.mu) * 1.08]).nice().range([margin.left, width - margin.right]);
    const y = d3.scaleLinear().domain([0, (d3.max(pts, (p) => p.sigma) || 1) * 1.08]).nice().range([height - margin.bottom, margin.top]);
    const unit = prettyUnit(r.unit);
    const caption = `Each dot is a parameter. Right = large mean absolute effect μ* (important); high = large spread σ of its effects ` +
      '(nonlinear, or interacting with other parameters). Above the dashed line σ = μ* the effect depends strongly on the other ' +
      `parameters. Effects in ${escapeHtml(unit || 'output units')} per unit change of the parameter's quantile (0 → 1).`;
    const svg = figure(parent, 'morris', {mode: r.mode, output: r.output}, width, height, `Morris mu* versus sigma of ${r.output} for ${r.mode}`, caption, 'morris');
    svg.append('g').selectAll('line').data(y.ticks(5)).join('line').attr('class', 'grid-line')
      .attr('x1', margin.left).attr('x2', width - margin.right).attr('y1', (d) => y(d)).attr('y2', (d) => y(d));
    const m = Math.min(x.domain()[1], y.domain()[1]);
    svg.append('line').attr('x1', x(0)).attr('y1', y(0)).attr('x2', x(m)).attr('y2', y(m)).attr('stroke', '#9aa3b0').attr('stroke-dasharray', '5 4');
    svg.append('g').selectAll('circle').data(pts).join('circle').attr('class', 'pt')
      .attr('cx', (p) => x(p.mu)).attr('cy', (p) => y(p.sigma)).attr('r', 4)
      .attr('fill', modeColor(r.mode)).attr('fill-opacity', 0.75).attr('stroke', '#fff')
      .append('title').text((p) => `${p.name}: μ* ${fmt(p.mu)}, σ ${fmt(p.sigma)} (rank ${p.rank})`);
    // Names of the leading parameters; a name that would overlap one already placed is tried
    // below its dot, then left out (its dot still has a tooltip).
    const placed = [];
    const labels = [];
    for (const p of [...pts].sort((a, b) => b.mu - a.mu).slice(0, 8).filter((p) => p.mu > 0)) {
      const text = truncate(p.name, 28);
      const w = text.length * 6.2;
      const right = x(p.mu) > width - 170;
      const x0 = right ? x(p.mu) - 6 - w : x(p.mu) + 6;
      for (const dy of [-5, 14]) {
        const box = {x0, x1: x0 + w, y0: y(p.sigma) + dy - 10, y1: y(p.sigma) + dy + 2};
        if (placed.some((b) => box.x0 < b.x1 && b.x0 < box.x1 && box.y0 < b.y1 && b.y0 < box.y1)) continue;
        placed.push(box);
        labels.push({text, x: right ? x(p.mu) - 6 : x(p.mu) + 6, y: y(p.sigma) + dy, anchor: right ? 'end' : 'start'});
        break;
      }
    }
    svg.append('g').selectAll('text').data(labels).join('text').attr('class', 'pt-label')
      .attr('x', (l) => l.x).attr('y', (l) => l.y).attr('text-anchor', (l) => l.anchor).attr('font-size', 10.5).text((l) => l.text);
    svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${height - margin.bottom})`)
      .call(d3.axisBottom(x).ticks(6).tickFormat(tickFormat(x, 6)).tickSizeOuter(0))
      .append('text').attr('class', 'axis-label').attr('x', width - margin.right).attr('y', 34).attr('text-anchor', 'end').text(`μ* ${unit ? '[' + unit + ']' : ''}`);
    svg.append('g').attr('class', 'axis').attr('transform', `translate(${margin.left},0)`)
      .call(d3.axisLeft(y).ticks(5).tickFormat(tickFormat(y, 5)))
      .append('text').attr('class', 'axis-label').attr('x', 4).attr('y', margin.top - 4).attr('text-anchor', 'start').text(`σ ${unit ? '[' + unit + ']' : ''}`);
  }

  function renderMorris() {
    const mo = DATA.morris;
    if (!mo) return;
    const s = section('morris', 'Screening (Morris elementary effects)',
      `${fmtInt(mo.trajectories)} trajectories on a ${mo.levels}-level grid, ${fmtInt(mo.model_runs)} model runs: a cheap first ranking of the ` +
      'parameters, before (or instead of) Sobol\' indices.');
    const modes = [...new Set(mo.results.map((r) => r.mode))];
    modeCards(s, 'morris-mode', modes, NS.morris, (card, r) => morrisChart(card, r));
  }

  // ------------------------------------------------------------------------------------
  // Failures, provenance

  function renderFailures() {
    const lists = [];
    if (DATA.uncertainty) lists.push(...DATA.uncertainty.failures);
    if (DATA.sobol) lists.push(...DATA.sobol.failures);
    if (!lists.length) return;
    const s = section('failures', 'Failed runs',
      'A run fails in a mode when its balance cannot be solved for the drawn parameters (reason in the columns). A failed run is left out ' +
      'of that mode\'s statistics; for Sobol\' indices the whole base sample is dropped. Many failures bias the results towards the runs that worked.' +
      csvLink('failures'));
    for (const run of ['uncertainty', 'sensitivity']) {
      const list = lists.filter((f) => f.run === run);
      if (!list.length) continue;
      const reasons = [...new Set(list.map((f) => f.reason))];
      const modes = [...new Set(list.map((f) => f.mode))];
      const total = d3.sum(list, (f) => f.count);
      const card = s.append('div').attr('class', 'card').style('margin-bottom', '14px');
      card.append('h3').text(run === 'uncertainty' ? 'Monte Carlo runs (uncertainty)' : 'Sobol\' runs (sensitivity)');
      if (!total) card.append('p').attr('class', 'desc').text('No run failed in any mode.');
      const rows = modes.map((m) => [{html: escapeHtml(modeName(m)), cls: 'text'}].concat(reasons.map((reason) => {
        const f = list.find((x) => x.mode === m && x.reason === reason);
        return f ? (f.count ? `${fmtInt(f.count)} (${pct(f.rate)})` : '0') : '–';
      })));
      table(card, ['Mode'].concat(reasons.map((r) => prettyId(r))), rows, 'data failure-table');
      if (total) failureChart(card, run, list, modes, reasons);
    }
  }

  function failureChart(parent, run, list, modes, reasons) {
    const margin = {left: 176, right: 40, top: 8, bottom: 36};
    const rowHeight = 24;
    const width = 660;
    const height = margin.top + modes.length * rowHeight + margin.bottom + 20;
    const totals = modes.map((m) => d3.sum(list.filter((f) => f.mode === m && f.reason !== 'dropped_base_samples'), (f) => f.count));
    const x = d3.scaleLinear().domain([0, Math.max(1, d3.max(totals))]).nice().range([margin.left, width - margin.right]);
    const color = d3.scaleOrdinal(reasons, d3.schemeSet2);
    const svg = figure(parent, 'failures', {run}, width, height, `Failed runs per mode and reason (${run})`,
      'Failed runs per mode, stacked by reason.', 'failures');
    modes.forEach((m, i) => {
      let at = 0;
      const cy = margin.top + i * rowHeight;
      for (const reason of reasons) {
        if (reason === 'dropped_base_samples') continue;
        const f = list.find((x) => x.mode === m && x.reason === reason);
        if (!f || !f.count) continue;
        svg.append('rect').attr('class', 'failure').attr('x', x(at)).attr('y', cy + 3).attr('height', rowHeight - 6)
          .attr('width', x(at + f.count) - x(at)).attr('fill', color(reason))
          .append('title').text(`${modeName(m)}: ${fmtInt(f.count)} × ${prettyId(reason)}`);
        at += f.count;
      }
      svg.append('text').attr('x', margin.left - 8).attr('y', cy + rowHeight / 2 + 4).attr('text-anchor', 'end').text(truncate(modeName(m), 26));
    });
    svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${height - margin.bottom - 16})`)
      .call(d3.axisBottom(x).ticks(5).tickFormat((d) => fmtInt(d)).tickSizeOuter(0));
    const legend = svg.append('g').attr('transform', `translate(${margin.left},${height - 12})`);
    reasons.filter((r) => r !== 'dropped_base_samples').forEach((r, i) => {
      legend.append('rect').attr('x', i * 130).attr('y', -9).attr('width', 10).attr('height', 10).attr('fill', color(r));
      legend.append('text').attr('x', i * 130 + 14).attr('y', 0).text(prettyId(r));
    });
  }

  function renderProvenance() {
    const p = DATA.provenance;
    if (!p) return;
    const s = section('provenance', 'Provenance',
      'Where the numbers come from: the result directories read, the input files with their checksums (FNV-1a 64) as recorded by each run, ' +
      'seeds and run counts, and the threads and time taken (from each run\'s run.log). The same inputs and seed give the same results for any thread count.');
    const card = s.append('div').attr('class', 'card');
    card.append('h3').text('Runs');
    const logValue = (r, key) => (r.log && r.log[key] !== undefined ? r.log[key] : null);
    const left = (text) => ({html: escapeHtml(text), cls: 'text'});
    table(card, [left('Result'), left('Directory'), left('Case'), left('Method'), 'Seed', 'Runs', 'Threads', 'Wall time', 'symbiomc', left('Written')],
      p.runs.map((r) => [
        {html: `<b>${escapeHtml(r.kind)}</b> <span class="mono">${escapeHtml(r.file)}</span>`, cls: 'text'},
        {html: `<span class="mono">${escapeHtml(r.dir)}</span>`, cls: 'text'},
        {html: escapeHtml(r.case || '–'), cls: 'text'},
        {html: escapeHtml([r.method, r.sampling].filter((x) => x).join(', ') || '–'), cls: 'text'},
        r.seed === undefined || r.seed === null ? '–' : String(r.seed),
        r.runs === undefined || r.runs === null ? '–' : fmtInt(r.runs) + (r.base_runs ? ` (N = ${fmtInt(r.base_runs)})` : '') +
          (r.trajectories ? ` (${fmtInt(r.trajectories)} trajectories)` : ''),
        logValue(r, 'threads') === null ? '–' : String(logValue(r, 'threads')),
        logValue(r, 'wall_seconds') === null ? '–' : fmt(logValue(r, 'wall_seconds')) + ' s',
        r.version || '–',
        {html: escapeHtml(r.written || '–'), cls: 'text'}]));
    card.append('h3').style('margin-top', '14px').text('Input files');
    table(card, [left('Role'), left('File'), left('FNV-1a 64'), left('Read by')], p.files.map((f) => {
      const sums = [...new Set(f.runs.map((r) => r.fnv1a64))];
      return [{html: escapeHtml(f.role), cls: 'text'}, {html: `<span class="mono">${escapeHtml(f.path)}</span>`, cls: 'text'},
        {html: sums.map((c) => `<span class="mono${f.consistent ? '' : ' bad'}">${escapeHtml(c)}</span>`).join('<br>'), cls: 'text'},
        {html: escapeHtml(f.runs.map((r) => r.run).join(', ')) + (f.consistent ? '' : ' <b class="bad">(differs)</b>'), cls: 'text'}];
    }));
    const optionRuns = Object.keys(p.options || {});
    if (optionRuns.length) {
      const names = [...new Set(optionRuns.flatMap((r) => Object.keys(p.options[r])))];
      card.append('h3').style('margin-top', '14px').text('Case options');
      table(card, [left('Option')].concat(optionRuns.map(left)), names.map((n) => [{html: `<span class="mono">${escapeHtml(n)}</span>`, cls: 'text'}]
        .concat(optionRuns.map((r) => ({html: escapeHtml(p.options[r][n] ?? '–'), cls: 'text'})))));
    }
    card.append('h3').style('margin-top', '14px').text('This page');
    const libs = p.libraries.map((l) => `${escapeHtml(l.name)} ${escapeHtml(l.version)} (${escapeHtml(l.licence)} licence, ${escapeHtml(l.homepage)})`).join('; ');
    card.append('p').attr('class', 'desc').html(`Written by symbiomc ${escapeHtml(DATA.version)}` +
      (DATA.generated_at ? ` on ${escapeHtml(DATA.generated_at)}` : '') + `. Charts drawn with ${libs}, inlined into this file with their ` +
      'licences (see the page source); the page loads nothing from the network.');
  }

  function renderToc() {
    d3.select('#toc').selectAll('a').data(sections).join('a').attr('href', (d) => '#' + d.id).text((d) => d.title.replace(/\?.*$/, '?'));
    d3.select('#page-footer').text(`symbiomc ${DATA.version} · ${DATA.case || ''} · charts: d3 and d3-sankey`);
  }

  function showError(error) {
    const box = document.getElementById('page-errors');
    box.hidden = false;
    box.textContent = 'This page could not draw everything: ' + (error && error.message ? error.message : String(error));
  }

  try {
    buildLookups();
    renderHeader();
    renderDecision();
    renderSummary();
    renderFlows();
    renderDistributions();
    renderProbabilities();
    renderComparisons();
    renderSobol();
    renderMorris();
    renderFailures();
    renderProvenance();
    renderToc();
    document.documentElement.dataset.renderState = 'done';
  } catch (error) {
    document.documentElement.dataset.renderState = 'error';
    showError(error);
    throw error;
  }
})();
