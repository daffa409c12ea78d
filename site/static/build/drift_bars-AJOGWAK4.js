import{f as t,h as o,i as p}from"./chunks/chunk-7NPBIQDE.js";function r({spec:a}){return t(o,{spec:a})}p("drift_bars",r);
