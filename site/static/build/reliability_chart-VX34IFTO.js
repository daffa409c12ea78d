import{f as t,h as a,i as e}from"./chunks/chunk-OTTY2CI5.js";function r({spec:i}){return t(a,{spec:i})}e("reliability_chart",r);
