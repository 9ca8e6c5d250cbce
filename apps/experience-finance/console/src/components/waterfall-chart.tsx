// The waterfall chart: ECharts core with only the pieces it draws, so the bundle carries no unused chart types.
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import type { Schemas } from '../api/client';
import { toMajor } from '../format';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export default function WaterfallChart({
  currency,
}: {
  currency: Schemas['WaterfallCurrencyDto'];
}): ReactNode {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!element.current) return;
    const chart = echarts.init(element.current, undefined, { renderer: 'svg' });
    const code = currency.currency;
    const money = new Intl.NumberFormat('en', { style: 'currency', currency: code });
    const series = (
      name: string,
      pick: (m: Schemas['WaterfallMonthDto']) => string,
      type: 'bar' | 'line',
    ) => ({
      name,
      type,
      data: currency.months.map((month) => toMajor(pick(month), code)),
    });
    chart.setOption({
      aria: { enabled: true },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (value: unknown) => (typeof value === 'number' ? money.format(value) : ''),
      },
      legend: { top: 0 },
      grid: { left: 80, right: 24, bottom: 32, top: 56 },
      xAxis: { type: 'category', data: currency.months.map((month) => month.period) },
      yAxis: { type: 'value', name: code },
      series: [
        series('Billed', (m) => m.billedMinor, 'bar'),
        series('Recognised', (m) => m.recognisedMinor, 'bar'),
        series('Deferred', (m) => m.closingDeferredMinor, 'line'),
        series('Unbilled', (m) => m.closingUnbilledMinor, 'line'),
      ],
    });
    const resize = () => {
      chart.resize();
    };
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [currency]);
  return (
    <div
      ref={element}
      className="chart"
      role="img"
      aria-label={`Billed, recognised, deferred and unbilled ${currency.currency} by month; the table below has the figures`}
    />
  );
}
