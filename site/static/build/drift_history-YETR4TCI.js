import{f as t,g as o,i as e}from"./chunks/chunk-OTTY2CI5.js";function r({spec:i}){return t(o,{spec:i})}e("drift_history",r);
