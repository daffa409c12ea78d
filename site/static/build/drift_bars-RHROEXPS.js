import{f as t,h as o,i as p}from"./chunks/chunk-OTTY2CI5.js";function r({spec:a}){return t(o,{spec:a})}p("drift_bars",r);
