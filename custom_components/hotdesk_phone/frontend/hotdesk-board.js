// hotdesk-board.js: built from frontend/src by scripts/build-card; do not edit.
var j=globalThis,K=j.ShadowRoot&&(j.ShadyCSS===void 0||j.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,ee=Symbol(),ge=new WeakMap,N=class{constructor(e,t,s){if(this._$cssResult$=!0,s!==ee)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(K&&e===void 0){let s=t!==void 0&&t.length===1;s&&(e=ge.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),s&&ge.set(t,e))}return e}toString(){return this.cssText}},pe=o=>new N(typeof o=="string"?o:o+"",void 0,ee),te=(o,...e)=>{let t=o.length===1?o[0]:e.reduce((s,n,i)=>s+(r=>{if(r._$cssResult$===!0)return r.cssText;if(typeof r=="number")return r;throw Error("Value passed to 'css' function must be a 'css' function result: "+r+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(n)+o[i+1],o[0]);return new N(t,o,ee)},_e=(o,e)=>{if(K)o.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let s=document.createElement("style"),n=j.litNonce;n!==void 0&&s.setAttribute("nonce",n),s.textContent=t.cssText,o.appendChild(s)}},se=K?o=>o:o=>o instanceof CSSStyleSheet?(e=>{let t="";for(let s of e.cssRules)t+=s.cssText;return pe(t)})(o):o;var{is:Ze,defineProperty:Je,getOwnPropertyDescriptor:Ye,getOwnPropertyNames:Qe,getOwnPropertySymbols:Xe,getPrototypeOf:et}=Object,V=globalThis,me=V.trustedTypes,tt=me?me.emptyScript:"",st=V.reactiveElementPolyfillSupport,M=(o,e)=>o,ne={toAttribute(o,e){switch(e){case Boolean:o=o?tt:null;break;case Object:case Array:o=o==null?o:JSON.stringify(o)}return o},fromAttribute(o,e){let t=o;switch(e){case Boolean:t=o!==null;break;case Number:t=o===null?null:Number(o);break;case Object:case Array:try{t=JSON.parse(o)}catch{t=null}}return t}},$e=(o,e)=>!Ze(o,e),fe={attribute:!0,type:String,converter:ne,reflect:!1,useDefault:!1,hasChanged:$e};Symbol.metadata??=Symbol("metadata"),V.litPropertyMetadata??=new WeakMap;var v=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=fe){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let s=Symbol(),n=this.getPropertyDescriptor(e,s,t);n!==void 0&&Je(this.prototype,e,n)}}static getPropertyDescriptor(e,t,s){let{get:n,set:i}=Ye(this.prototype,e)??{get(){return this[t]},set(r){this[t]=r}};return{get:n,set(r){let a=n?.call(this);i?.call(this,r),this.requestUpdate(e,a,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??fe}static _$Ei(){if(this.hasOwnProperty(M("elementProperties")))return;let e=et(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(M("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(M("properties"))){let t=this.properties,s=[...Qe(t),...Xe(t)];for(let n of s)this.createProperty(n,t[n])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[s,n]of t)this.elementProperties.set(s,n)}this._$Eh=new Map;for(let[t,s]of this.elementProperties){let n=this._$Eu(t,s);n!==void 0&&this._$Eh.set(n,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let s=new Set(e.flat(1/0).reverse());for(let n of s)t.unshift(se(n))}else e!==void 0&&t.push(se(e));return t}static _$Eu(e,t){let s=t.attribute;return s===!1?void 0:typeof s=="string"?s:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let s of t.keys())this.hasOwnProperty(s)&&(e.set(s,this[s]),delete this[s]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return _e(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,s){this._$AK(e,s)}_$ET(e,t){let s=this.constructor.elementProperties.get(e),n=this.constructor._$Eu(e,s);if(n!==void 0&&s.reflect===!0){let i=(s.converter?.toAttribute!==void 0?s.converter:ne).toAttribute(t,s.type);this._$Em=e,i==null?this.removeAttribute(n):this.setAttribute(n,i),this._$Em=null}}_$AK(e,t){let s=this.constructor,n=s._$Eh.get(e);if(n!==void 0&&this._$Em!==n){let i=s.getPropertyOptions(n),r=typeof i.converter=="function"?{fromAttribute:i.converter}:i.converter?.fromAttribute!==void 0?i.converter:ne;this._$Em=n;let a=r.fromAttribute(t,i.type);this[n]=a??this._$Ej?.get(n)??a,this._$Em=null}}requestUpdate(e,t,s,n=!1,i){if(e!==void 0){let r=this.constructor;if(n===!1&&(i=this[e]),s??=r.getPropertyOptions(e),!((s.hasChanged??$e)(i,t)||s.useDefault&&s.reflect&&i===this._$Ej?.get(e)&&!this.hasAttribute(r._$Eu(e,s))))return;this.C(e,t,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:s,reflect:n,wrapped:i},r){s&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,r??t??this[e]),i!==!0||r!==void 0)||(this._$AL.has(e)||(this.hasUpdated||s||(t=void 0),this._$AL.set(e,t)),n===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[n,i]of this._$Ep)this[n]=i;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[n,i]of s){let{wrapped:r}=i,a=this[n];r!==!0||this._$AL.has(n)||a===void 0||this.C(n,void 0,i,a)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(t)):this._$EM()}catch(s){throw e=!1,this._$EM(),s}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};v.elementStyles=[],v.shadowRootOptions={mode:"open"},v[M("elementProperties")]=new Map,v[M("finalized")]=new Map,st?.({ReactiveElement:v}),(V.reactiveElementVersions??=[]).push("2.1.2");var oe=globalThis,ye=o=>o,W=oe.trustedTypes,ve=W?W.createPolicy("lit-html",{createHTML:o=>o}):void 0,re="$lit$",b=`lit$${Math.random().toFixed(9).slice(2)}$`,ae="?"+b,nt=`<${ae}>`,E=document,L=()=>E.createComment(""),O=o=>o===null||typeof o!="object"&&typeof o!="function",le=Array.isArray,Ee=o=>le(o)||typeof o?.[Symbol.iterator]=="function",ie=`[ 	
\f\r]`,R=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,be=/-->/g,Ae=/>/g,k=RegExp(`>|${ie}(?:([^\\s"'>=/]+)(${ie}*=${ie}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),xe=/'/g,ke=/"/g,Se=/^(?:script|style|textarea|title)$/i,ce=o=>(e,...t)=>({_$litType$:o,strings:e,values:t}),m=ce(1),$t=ce(2),yt=ce(3),A=Symbol.for("lit-noChange"),g=Symbol.for("lit-nothing"),we=new WeakMap,w=E.createTreeWalker(E,129);function Ce(o,e){if(!le(o)||!o.hasOwnProperty("raw"))throw Error("invalid template strings array");return ve!==void 0?ve.createHTML(e):e}var Ie=(o,e)=>{let t=o.length-1,s=[],n,i=e===2?"<svg>":e===3?"<math>":"",r=R;for(let a=0;a<t;a++){let l=o[a],p,d,c=-1,u=0;for(;u<l.length&&(r.lastIndex=u,d=r.exec(l),d!==null);)u=r.lastIndex,r===R?d[1]==="!--"?r=be:d[1]!==void 0?r=Ae:d[2]!==void 0?(Se.test(d[2])&&(n=RegExp("</"+d[2],"g")),r=k):d[3]!==void 0&&(r=k):r===k?d[0]===">"?(r=n??R,c=-1):d[1]===void 0?c=-2:(c=r.lastIndex-d[2].length,p=d[1],r=d[3]===void 0?k:d[3]==='"'?ke:xe):r===ke||r===xe?r=k:r===be||r===Ae?r=R:(r=k,n=void 0);let h=r===k&&o[a+1].startsWith("/>")?" ":"";i+=r===R?l+nt:c>=0?(s.push(p),l.slice(0,c)+re+l.slice(c)+b+h):l+b+(c===-2?a:h)}return[Ce(o,i+(o[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),s]},U=class o{constructor({strings:e,_$litType$:t},s){let n;this.parts=[];let i=0,r=0,a=e.length-1,l=this.parts,[p,d]=Ie(e,t);if(this.el=o.createElement(p,s),w.currentNode=this.el.content,t===2||t===3){let c=this.el.content.firstChild;c.replaceWith(...c.childNodes)}for(;(n=w.nextNode())!==null&&l.length<a;){if(n.nodeType===1){if(n.hasAttributes())for(let c of n.getAttributeNames())if(c.endsWith(re)){let u=d[r++],h=n.getAttribute(c).split(b),_=/([.?@])?(.*)/.exec(u);l.push({type:1,index:i,name:_[2],strings:h,ctor:_[1]==="."?G:_[1]==="?"?F:_[1]==="@"?Z:C}),n.removeAttribute(c)}else c.startsWith(b)&&(l.push({type:6,index:i}),n.removeAttribute(c));if(Se.test(n.tagName)){let c=n.textContent.split(b),u=c.length-1;if(u>0){n.textContent=W?W.emptyScript:"";for(let h=0;h<u;h++)n.append(c[h],L()),w.nextNode(),l.push({type:2,index:++i});n.append(c[u],L())}}}else if(n.nodeType===8)if(n.data===ae)l.push({type:2,index:i});else{let c=-1;for(;(c=n.data.indexOf(b,c+1))!==-1;)l.push({type:7,index:i}),c+=b.length-1}i++}}static createElement(e,t){let s=E.createElement("template");return s.innerHTML=e,s}};function S(o,e,t=o,s){if(e===A)return e;let n=s!==void 0?t._$Co?.[s]:t._$Cl,i=O(e)?void 0:e._$litDirective$;return n?.constructor!==i&&(n?._$AO?.(!1),i===void 0?n=void 0:(n=new i(o),n._$AT(o,t,s)),s!==void 0?(t._$Co??=[])[s]=n:t._$Cl=n),n!==void 0&&(e=S(o,n._$AS(o,e.values),n,s)),e}var q=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:s}=this._$AD,n=(e?.creationScope??E).importNode(t,!0);w.currentNode=n;let i=w.nextNode(),r=0,a=0,l=s[0];for(;l!==void 0;){if(r===l.index){let p;l.type===2?p=new T(i,i.nextSibling,this,e):l.type===1?p=new l.ctor(i,l.name,l.strings,this,e):l.type===6&&(p=new J(i,this,e)),this._$AV.push(p),l=s[++a]}r!==l?.index&&(i=w.nextNode(),r++)}return w.currentNode=E,n}p(e){let t=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(e,s,t),t+=s.strings.length-2):s._$AI(e[t])),t++}},T=class o{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,s,n){this.type=2,this._$AH=g,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=s,this.options=n,this._$Cv=n?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=S(this,e,t),O(e)?e===g||e==null||e===""?(this._$AH!==g&&this._$AR(),this._$AH=g):e!==this._$AH&&e!==A&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):Ee(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==g&&O(this._$AH)?this._$AA.nextSibling.data=e:this.T(E.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:s}=e,n=typeof s=="number"?this._$AC(e):(s.el===void 0&&(s.el=U.createElement(Ce(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===n)this._$AH.p(t);else{let i=new q(n,this),r=i.u(this.options);i.p(t),this.T(r),this._$AH=i}}_$AC(e){let t=we.get(e.strings);return t===void 0&&we.set(e.strings,t=new U(e)),t}k(e){le(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,s,n=0;for(let i of e)n===t.length?t.push(s=new o(this.O(L()),this.O(L()),this,this.options)):s=t[n],s._$AI(i),n++;n<t.length&&(this._$AR(s&&s._$AB.nextSibling,n),t.length=n)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let s=ye(e).nextSibling;ye(e).remove(),e=s}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},C=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,s,n,i){this.type=1,this._$AH=g,this._$AN=void 0,this.element=e,this.name=t,this._$AM=n,this.options=i,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=g}_$AI(e,t=this,s,n){let i=this.strings,r=!1;if(i===void 0)e=S(this,e,t,0),r=!O(e)||e!==this._$AH&&e!==A,r&&(this._$AH=e);else{let a=e,l,p;for(e=i[0],l=0;l<i.length-1;l++)p=S(this,a[s+l],t,l),p===A&&(p=this._$AH[l]),r||=!O(p)||p!==this._$AH[l],p===g?e=g:e!==g&&(e+=(p??"")+i[l+1]),this._$AH[l]=p}r&&!n&&this.j(e)}j(e){e===g?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},G=class extends C{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===g?void 0:e}},F=class extends C{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==g)}},Z=class extends C{constructor(e,t,s,n,i){super(e,t,s,n,i),this.type=5}_$AI(e,t=this){if((e=S(this,e,t,0)??g)===A)return;let s=this._$AH,n=e===g&&s!==g||e.capture!==s.capture||e.once!==s.once||e.passive!==s.passive,i=e!==g&&(s===g||n);n&&this.element.removeEventListener(this.name,this,s),i&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},J=class{constructor(e,t,s){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(e){S(this,e)}},Pe={M:re,P:b,A:ae,C:1,L:Ie,R:q,D:Ee,V:S,I:T,H:C,N:F,U:Z,B:G,F:J},it=oe.litHtmlPolyfillSupport;it?.(U,T),(oe.litHtmlVersions??=[]).push("3.3.3");var Te=(o,e,t)=>{let s=t?.renderBefore??e,n=s._$litPart$;if(n===void 0){let i=t?.renderBefore??null;s._$litPart$=n=new T(e.insertBefore(L(),i),i,void 0,t??{})}return n._$AI(o),n};var de=globalThis,y=class extends v{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Te(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return A}};y._$litElement$=!0,y.finalized=!0,de.litElementHydrateSupport?.({LitElement:y});var ot=de.litElementPolyfillSupport;ot?.({LitElement:y});(de.litElementVersions??=[]).push("4.2.2");var De={ATTRIBUTE:1,CHILD:2,PROPERTY:3,BOOLEAN_ATTRIBUTE:4,EVENT:5,ELEMENT:6},He=o=>(...e)=>({_$litDirective$:o,values:e}),Y=class{constructor(e){}get _$AU(){return this._$AM._$AU}_$AT(e,t,s){this._$Ct=e,this._$AM=t,this._$Ci=s}_$AS(e,t){return this.update(e,t)}update(e,t){return this.render(...t)}};var{I:rt}=Pe,Ne=o=>o;var Me=()=>document.createComment(""),D=(o,e,t)=>{let s=o._$AA.parentNode,n=e===void 0?o._$AB:e._$AA;if(t===void 0){let i=s.insertBefore(Me(),n),r=s.insertBefore(Me(),n);t=new rt(i,r,o,o.options)}else{let i=t._$AB.nextSibling,r=t._$AM,a=r!==o;if(a){let l;t._$AQ?.(o),t._$AM=o,t._$AP!==void 0&&(l=o._$AU)!==r._$AU&&t._$AP(l)}if(i!==n||a){let l=t._$AA;for(;l!==i;){let p=Ne(l).nextSibling;Ne(s).insertBefore(l,n),l=p}}}return t},x=(o,e,t=o)=>(o._$AI(e,t),o),at={},Re=(o,e=at)=>o._$AH=e,Le=o=>o._$AH,Q=o=>{o._$AR(),o._$AA.remove()};var Oe=(o,e,t)=>{let s=new Map;for(let n=e;n<=t;n++)s.set(o[n],n);return s},Ue=He(class extends Y{constructor(o){if(super(o),o.type!==De.CHILD)throw Error("repeat() can only be used in text expressions")}dt(o,e,t){let s;t===void 0?t=e:e!==void 0&&(s=e);let n=[],i=[],r=0;for(let a of o)n[r]=s?s(a,r):r,i[r]=t(a,r),r++;return{values:i,keys:n}}render(o,e,t){return this.dt(o,e,t).values}update(o,[e,t,s]){let n=Le(o),{values:i,keys:r}=this.dt(e,t,s);if(!Array.isArray(n))return this.ut=r,i;let a=this.ut??=[],l=[],p,d,c=0,u=n.length-1,h=0,_=i.length-1;for(;c<=u&&h<=_;)if(n[c]===null)c++;else if(n[u]===null)u--;else if(a[c]===r[h])l[h]=x(n[c],i[h]),c++,h++;else if(a[u]===r[_])l[_]=x(n[u],i[_]),u--,_--;else if(a[c]===r[_])l[_]=x(n[c],i[_]),D(o,l[_+1],n[c]),c++,_--;else if(a[u]===r[h])l[h]=x(n[u],i[h]),D(o,n[c],n[u]),u--,h++;else if(p===void 0&&(p=Oe(r,h,_),d=Oe(a,c,u)),p.has(a[c]))if(p.has(a[u])){let $=d.get(r[h]),P=$!==void 0?n[$]:null;if(P===null){let he=D(o,n[c]);x(he,i[h]),l[h]=he}else l[h]=x(P,i[h]),D(o,n[c],P),n[$]=null;h++}else Q(n[u]),u--;else Q(n[c]),c++;for(;h<=_;){let $=D(o,l[_+1]);x($,i[h]),l[h++]=$}for(;c<=u;){let $=n[c++];$!==null&&Q($)}return this.ut=r,Re(o,l),A}});var je={card_name:"Hot-desk board",card_description:"Every desk phone: who is logged in, ringing and in-call state, and buttons to log in, log out, claim a ringing call or call back.",default_title:"Hot-desk board",no_desks:"No desk phones yet: add them under Settings → Devices & services → Hot-desk phone for Asterisk.",nobody:"Nobody logged in",logged_in_since:"{account} since {time}",ringing_for:"Ringing for {account}",in_call_with:"In call with {caller}",in_call:"In call",unknown_caller:"an unknown caller",log_out:"Log out",log_in_open:"Log in…",log_in_account:"Account to log in at {desk}",log_in_choose:"Choose an account",log_in:"Log in",cancel:"Cancel",claim_here:"Claim {account}'s call here",calls:"Calls",no_calls:"No call ringing.",call_rings:"{caller} → {account} ({extension}), ringing at {desks}",call_answered:"{caller} ↔ {account} ({extension}) at {desk}",last_missed:"{account} ({extension}) missed {caller}",call_back:"Call back",nowhere:"no desk",emergency_call:"Emergency call {number} from {desk} — {location} — logged in: {who}",emergency_unknown_phone:"an unknown phone",emergency_no_location:"location unknown",emergency_nobody:"nobody",emergency_tile:"Emergency call {number}",failed:"Failed: {error}",editor_title:"Title",editor_areas:"Only desks in these areas",editor_show_calls:"Show ringing calls and missed calls",editor_show_offline:"Show offline desks"},lt={card_name:"Hot-Desk-Übersicht",card_description:"Jedes Tischtelefon: wer angemeldet ist, ob es klingelt oder telefoniert, und Knöpfe zum Anmelden, Abmelden, Anruf heranholen oder Zurückrufen.",default_title:"Hot-Desk-Übersicht",no_desks:"Noch keine Tischtelefone: Füge sie unter Einstellungen → Geräte & Dienste → Hot-desk phone for Asterisk hinzu.",nobody:"Niemand angemeldet",logged_in_since:"{account} seit {time}",ringing_for:"Klingelt für {account}",in_call_with:"Im Gespräch mit {caller}",in_call:"Im Gespräch",unknown_caller:"unbekanntem Anrufer",log_out:"Abmelden",log_in_open:"Anmelden…",log_in_account:"Konto, das du an {desk} anmeldest",log_in_choose:"Wähle ein Konto",log_in:"Anmelden",cancel:"Abbrechen",claim_here:"Anruf für {account} hierher holen",calls:"Anrufe",no_calls:"Kein Anruf klingelt.",call_rings:"{caller} → {account} ({extension}), klingelt an {desks}",call_answered:"{caller} ↔ {account} ({extension}) an {desk}",last_missed:"{account} ({extension}) hat {caller} verpasst",call_back:"Zurückrufen",nowhere:"keinem Tisch",emergency_call:"Notruf {number} von {desk} — {location} — angemeldet: {who}",emergency_unknown_phone:"einem unbekannten Telefon",emergency_no_location:"Standort unbekannt",emergency_nobody:"niemand",emergency_tile:"Notruf {number}",failed:"Fehlgeschlagen: {error}",editor_title:"Titel",editor_areas:"Nur Tische in diesen Bereichen",editor_show_calls:"Klingelnde und verpasste Anrufe zeigen",editor_show_offline:"Nicht erreichbare Tische zeigen"},Be={card_name:"工位看板",card_description:"每部工位电话：谁已登录、振铃和通话状态，以及登录、注销、在此接听振铃来电和回拨的按钮。",default_title:"工位看板",no_desks:"尚无工位电话：请在 设置 → 设备与服务 → Hot-desk phone for Asterisk 中添加。",nobody:"无人登录",logged_in_since:"{account}，自 {time}",ringing_for:"正在为 {account} 振铃",in_call_with:"正在与 {caller} 通话",in_call:"通话中",unknown_caller:"未知来电者",log_out:"注销",log_in_open:"登录…",log_in_account:"要在 {desk} 登录的账户",log_in_choose:"选择账户",log_in:"登录",cancel:"取消",claim_here:"在此接听 {account} 的来电",calls:"来电",no_calls:"没有振铃的来电。",call_rings:"{caller} → {account}（{extension}），正在 {desks} 振铃",call_answered:"{caller} ↔ {account}（{extension}），在 {desk}",last_missed:"{account}（{extension}）未接 {caller} 的来电",call_back:"回拨",nowhere:"无工位",emergency_call:"紧急呼叫 {number}，来自 {desk} — {location} — 已登录：{who}",emergency_unknown_phone:"未知电话",emergency_no_location:"位置未知",emergency_nobody:"无人",emergency_tile:"紧急呼叫 {number}",failed:"失败：{error}",editor_title:"标题",editor_areas:"仅显示这些区域的工位",editor_show_calls:"显示振铃和未接来电",editor_show_offline:"显示离线工位"},ze={en:je,de:lt,"zh-Hans":Be,zh:Be};function H(o,e,t={}){return(ze[o??"en"]??ze[(o??"en").split("-")[0]]??je)[e].replace(/\{(\w+)\}/g,(n,i)=>t[i]??"")}var ct=[{name:"title",selector:{text:{}}},{name:"areas",selector:{area:{multiple:!0}}},{name:"show_calls",selector:{boolean:{}}},{name:"show_offline",selector:{boolean:{}}}],dt={title:"editor_title",areas:"editor_areas",show_calls:"editor_show_calls",show_offline:"editor_show_offline"},X=class extends y{constructor(){super(...arguments);this._label=t=>H(this.hass?.locale?.language??this.hass?.language,dt[t.name]??"editor_title")}setConfig(t){this._config=t}_changed(t){t.stopPropagation();let s={...t.detail.value};for(let n of["title","areas"]){let i=s[n];(i===""||Array.isArray(i)&&i.length===0)&&delete s[n]}this._config=s,this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:s},bubbles:!0,composed:!0}))}render(){return!this.hass||!this._config?g:m`<ha-form
      .hass=${this.hass}
      .data=${{show_calls:!0,show_offline:!0,...this._config}}
      .schema=${ct}
      .computeLabel=${this._label}
      @value-changed=${this._changed}
    ></ha-form>`}};X.properties={hass:{attribute:!1},_config:{state:!0}};customElements.get("hotdesk-board-editor")||customElements.define("hotdesk-board-editor",X);var I="hotdesk_phone";function f(o){return typeof o=="string"&&o!==""?o:null}function Ke(o,e){let s=o.devices[e]?.identifiers?.find(([n])=>n===I);return s?s[1]:e}function Ve(o,e){let t=o.devices[e];return t?.name_by_user||t?.name||e}var We=new Intl.Collator(void 0,{numeric:!0,sensitivity:"base"});function ue(o){let e=new Map;for(let i of Object.values(o.entities??{})){if(i.platform!==I||!i.device_id||!i.translation_key)continue;let r=e.get(i.device_id);r||(r=new Map,e.set(i.device_id,r)),r.set(i.translation_key,i.entity_id)}let t=[],s=[],n=[];for(let[i,r]of e){let a=o.states[r.get("emergency_call")??""];a?.state==="on"&&n.push(...ut(a));let l=r.get("desk_call_state"),p=r.get("account_call_state");if(l&&o.states[l]){let d=o.states[l],c=o.states[r.get("logged_in_account")??""],u=c?.attributes??{},h=o.devices[i],_=o.entities[l]?.area_id??h?.area_id??null,$=f(u.since),P=c&&f(u.account_id)?c.state:null;t.push({deviceId:i,deskId:Ke(o,i),name:Ve(o,i),directoryName:h?.name??i,areaId:_,area:_?o.areas[_]?.name??null:null,state:d.state,stateEntity:d,loggedIn:P,loggedInAccountId:P?f(u.account_id):null,loggedInExtension:f(u.extension),since:$?new Date($):null,logoutEntityId:r.get("logout")??null})}else if(p&&o.states[p]){let d=o.states[p],c=d.attributes,u="caller_id_number"in c?d:o.states[r.get("caller")??""],h=d.state==="ringing"||d.state==="in_call",_=r.get("missed_calls")??null;s.push({deviceId:i,accountId:Ke(o,i),name:Ve(o,i),extension:f(c.extension),state:d.state,callId:f(c.call_id),caller:h&&u?ht(u):null,callerNumber:h?f(u?.attributes.caller_id_number):null,ringingDeskIds:Array.isArray(c.ringing_desk_ids)?c.ringing_desk_ids:[],answeredDesk:f(c.answered_desk),claimedDesk:f(c.claimed_desk),missedEntityId:_,missedCount:_?o.states[_]?.state??null:null,people:Array.isArray(c.people)?c.people.filter($=>typeof $=="string"):null})}}return t.sort((i,r)=>We.compare(i.name,r.name)),s.sort((i,r)=>We.compare(i.name,r.name)),{desks:t,accounts:s,emergencies:n}}function ut(o){let e=o.attributes.calls;if(!Array.isArray(e))return[];let t=[];for(let s of e){if(!s||typeof s!="object")continue;let n=s,i=f(n.started)??f(n.time),r=i?new Date(i):null;t.push({deskId:f(n.desk_id),desk:f(n.desk),number:f(n.number)??(typeof n.number=="number"?String(n.number):"?"),elin:f(n.elin),location:f(n.location),loggedIn:f(n.logged_in_account),loggedInExtension:f(n.logged_in_extension),started:r&&!Number.isNaN(r.getTime())?r:null})}return t}function ht(o){let e=f(o.attributes.caller_id_name),t=f(o.attributes.caller_id_number);return e&&t?`${e} <${t}>`:e??t}function qe(o,e){for(let t of o.accounts)if(t.state==="ringing"&&t.ringingDeskIds.includes(e.deskId))return t;for(let t of o.accounts)if(t.state==="in_call"&&(t.answeredDesk===e.directoryName||t.claimedDesk===e.directoryName))return t;return null}function gt(o){let e=o.user;if(!e||e.is_admin)return()=>!0;let t=null;return s=>{if(s.people===null)return!0;t===null&&(t=new Set(Object.values(o.states).filter(i=>i.entity_id.startsWith("person.")&&i.attributes.user_id===e.id).map(i=>i.entity_id)));let n=t;return s.people.some(i=>n.has(i))}}function Ge(o,e){let t=gt(o);return{accounts:e.accounts.filter(s=>s.extension!==null&&t(s)),byId:new Map(e.accounts.map(s=>[s.accountId,s])),may:t}}function Fe(o,e){if(e.state==="unavailable")return!1;let t=e.loggedInAccountId?o.byId.get(e.loggedInAccountId):void 0;return t&&!o.may(t)?!1:o.accounts.length>1||o.accounts.length===1&&o.accounts[0].accountId!==e.loggedInAccountId}var z="hotdesk-board",B=class extends y{constructor(){super(...arguments);this._missed=new Map;this._missedSeen=new Map;this._message="";this._busy="";this._picking=""}static getConfigElement(){return document.createElement(`${z}-editor`)}static getStubConfig(){return{type:`custom:${z}`,show_calls:!0,show_offline:!0}}setConfig(t){if(!t||typeof t!="object")throw new Error("Invalid configuration");this._config={show_calls:!0,show_offline:!0,...t}}getCardSize(){return 4}getGridOptions(){return{columns:12,min_columns:6,rows:4}}_t(t,s){return H(this.hass?.locale?.language??this.hass?.language,t,s)}shouldUpdate(t){if(!t.has("hass")||t.size>1)return!0;let s=t.get("hass"),n=this.hass;if(!s||!n||s.entities!==n.entities||s.devices!==n.devices||s.areas!==n.areas||s.language!==n.language||s.localize!==n.localize||s.formatEntityState!==n.formatEntityState)return!0;for(let i of Object.values(n.entities))if(i.platform===I&&s.states[i.entity_id]!==n.states[i.entity_id])return!0;return!1}willUpdate(){let t=this.hass?.language;t&&this._translated!==t&&this.hass?.loadBackendTranslation&&(this._translated=t,this.hass.loadBackendTranslation("entity",I))}updated(t){if(t.has("_picking")&&this._picking&&this.renderRoot.querySelector("select.login-account")?.focus(),!(!this.hass||!this._config?.show_calls))for(let s of ue(this.hass).accounts)this._missedSeen.get(s.accountId)!==s.missedCount&&(this._missedSeen.set(s.accountId,s.missedCount),s.extension&&s.missedCount&&s.missedCount!=="0"&&this._loadMissed(s))}async _loadMissed(t){try{let i=((await this.hass.callWS({type:"call_service",domain:I,service:"call_log",service_data:{extension:t.extension},return_response:!0})).response?.calls??[]).find(a=>a.outcome==="missed"&&a.caller_id_number),r=new Map(this._missed);if(i){let a=i.caller_id_number,l=i.caller_id_name;r.set(t.accountId,{number:a,caller:l?`${l} <${a}>`:a})}else r.delete(t.accountId);this._missed=r}catch{}}async _act(t,s,n){this._busy=t,this._message="";try{return await this.hass.callService(I,s,n),!0}catch(i){let r=i instanceof Error?i.message:String(i?.message??i);return this._message=this._t("failed",{error:r}),!1}finally{this._busy=""}}_stateLabel(t){return this.hass.formatEntityState?.(t.stateEntity)??t.state}_time(t){let s=this.hass?.locale?.language??this.hass?.language??"en";try{return t.toLocaleTimeString(s,{hour:"2-digit",minute:"2-digit",timeZone:this.hass?.config.time_zone})}catch{return t.toLocaleTimeString()}}_deskNames(t,s){let n=s.map(i=>t.desks.find(r=>r.deskId===i)?.name??i);return n.length?n.join(", "):this._t("nowhere")}render(){if(!this.hass||!this._config)return g;let t=ue(this.hass),s=this._config.areas?.length?new Set(this._config.areas):null,n=t.desks.filter(a=>(!s||a.areaId!==null&&s.has(a.areaId))&&(this._config.show_offline!==!1||a.state!=="offline")),i=t.accounts.filter(a=>a.state==="ringing"),r=Ge(this.hass,t);return m`
      <ha-card .header=${this._config.title??this._t("default_title")}>
        <div class="content">
          ${t.emergencies.length?this._renderEmergencies(t):g}
          ${n.length?m`<div class="grid">${n.map(a=>this._renderDesk(t,a,i,r))}</div>`:m`<p class="empty">${this._t("no_desks")}</p>`}
          ${this._config.show_calls?this._renderCalls(t):g}
          ${this._message?m`<p class="message" role="alert">${this._message}</p>`:g}
        </div>
      </ha-card>
    `}_renderEmergencies(t){return m`<div class="emergency" role="alert">
      ${t.emergencies.map(s=>m`<div class="emergency-call" data-desk=${s.deskId??""}>
          <ha-icon icon="mdi:alarm-light" aria-hidden="true"></ha-icon>
          <span>${this._emergencyLine(t,s)}</span>
        </div>`)}
    </div>`}_emergencyLine(t,s){let n=(s.deskId?t.desks.find(i=>i.deskId===s.deskId)?.name:void 0)??s.desk??this._t("emergency_unknown_phone");return this._t("emergency_call",{number:s.number,desk:n,location:s.location??this._t("emergency_no_location"),who:s.loggedIn??this._t("emergency_nobody")})}_renderDesk(t,s,n,i){let r=t.emergencies.find(d=>d.deskId!==null&&d.deskId===s.deskId),a=qe(t,s),l=g;a&&s.state==="ringing"?l=m`<div class="call">${this._t("ringing_for",{account:a.name})}${a.caller?m` · <span class="caller">${a.caller}</span>`:g}</div>`:s.state==="in_call"&&(l=m`<div class="call">${a?this._t("in_call_with",{caller:a.caller??this._t("unknown_caller")}):this._t("in_call")}</div>`);let p=n.filter(d=>d.extension&&!d.ringingDeskIds.includes(s.deskId));return m`
      <div
        class="tile"
        data-desk=${s.deskId}
        data-state=${s.state}
        ?data-emergency=${r!==void 0}
      >
        <div class="top">
          <span class="name">${s.name}</span>
          <span class="state ${s.state}">${this._stateLabel(s)}</span>
        </div>
        ${s.area?m`<div class="area">${s.area}</div>`:g}
        <div class="login">
          ${s.loggedIn?this._t("logged_in_since",{account:s.loggedInExtension?`${s.loggedIn} (${s.loggedInExtension})`:s.loggedIn,time:s.since?this._time(s.since):"?"}):m`<span class="muted">${this._t("nobody")}</span>`}
        </div>
        ${r?m`<div class="emergency-mark">${this._t("emergency_tile",{number:r.number})}</div>`:g}
        ${l}
        <div class="actions">
          ${s.loggedIn?m`<button
                class="logout"
                ?disabled=${this._busy===`logout-${s.deskId}`}
                @click=${()=>this._act(`logout-${s.deskId}`,"logout",{desk:s.deviceId})}
              >
                ${this._t("log_out")}
              </button>`:g}
          ${p.map(d=>m`<button
              class="claim"
              data-account=${d.accountId}
              ?disabled=${this._busy===`claim-${s.deskId}`}
              @click=${()=>this._act(`claim-${s.deskId}`,"claim_call",{extension:d.extension,desk:s.deviceId})}
            >
              ${this._t("claim_here",{account:d.name})}
            </button>`)}
          ${this._picking!==s.deskId&&Fe(i,s)?m`<button class="login-open" @click=${()=>this._picking=s.deskId}>
                ${this._t("log_in_open")}
              </button>`:g}
        </div>
        ${this._picking===s.deskId?this._renderLoginPicker(s,i):g}
      </div>
    `}_renderLoginPicker(t,s){let n=s.accounts.filter(a=>a.accountId!==t.loggedInAccountId),i=this._busy===`login-${t.deskId}`,r=async()=>{let l=this.renderRoot.querySelector(`.tile[data-desk="${CSS.escape(t.deskId)}"] select.login-account`)?.value;l&&await this._act(`login-${t.deskId}`,"login",{extension:l,desk:t.deviceId})&&this._picking===t.deskId&&(this._picking="")};return m`<div class="login-picker">
      <select
        class="login-account"
        aria-label=${this._t("log_in_account",{desk:t.name})}
        ?disabled=${i}
        @keydown=${a=>{a.key==="Escape"&&(this._picking="")}}
      >
        <option value="" selected disabled>${this._t("log_in_choose")}</option>
        ${Ue(n,a=>a.accountId,a=>m`<option value=${a.extension} data-account=${a.accountId}>${a.name} (${a.extension})</option>`)}
      </select>
      <button class="login-confirm" ?disabled=${i} @click=${r}>${this._t("log_in")}</button>
      <button class="login-cancel" ?disabled=${i} @click=${()=>this._picking=""}>
        ${this._t("cancel")}
      </button>
    </div>`}_renderCalls(t){let s=t.accounts.filter(i=>i.state==="ringing"||i.state==="in_call"),n=t.accounts.filter(i=>this._missed.has(i.accountId)&&i.extension);return m`
      <div class="calls">
        <h3>${this._t("calls")}</h3>
        ${s.length?g:m`<p class="muted">${this._t("no_calls")}</p>`}
        <ul>
          ${s.map(i=>m`<li class="active-call ${i.state}" data-account=${i.accountId}>
              ${i.state==="ringing"?this._t("call_rings",{caller:i.caller??this._t("unknown_caller"),account:i.name,extension:i.extension??"",desks:this._deskNames(t,i.ringingDeskIds)}):this._t("call_answered",{caller:i.caller??this._t("unknown_caller"),account:i.name,extension:i.extension??"",desk:i.answeredDesk??i.claimedDesk??this._t("nowhere")})}
            </li>`)}
          ${n.map(i=>{let r=this._missed.get(i.accountId);return m`<li class="missed" data-account=${i.accountId}>
              ${this._t("last_missed",{account:i.name,extension:i.extension,caller:r.caller})}
              <button
                class="callback"
                ?disabled=${this._busy===`call-${i.accountId}`}
                @click=${()=>this._act(`call-${i.accountId}`,"call",{extension:i.extension,number:r.number})}
              >
                ${this._t("call_back")}
              </button>
            </li>`})}
        </ul>
      </div>
    `}};B.properties={hass:{attribute:!1},_config:{state:!0},_missed:{state:!0},_message:{state:!0},_busy:{state:!0},_picking:{state:!0}},B.styles=te`
    .content {
      padding: 0 16px 16px;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(180px, 1fr));
      gap: 8px;
    }
    .tile {
      border: 1px solid var(--divider-color, #ddd);
      border-left: 6px solid var(--disabled-text-color, #999);
      border-radius: 8px;
      padding: 8px 10px;
      display: flex;
      flex-direction: column;
      gap: 4px;
      background: var(--card-background-color, #fff);
    }
    .tile[data-state="idle"] {
      border-left-color: var(--success-color, #43a047);
    }
    .tile[data-state="ringing"] {
      border-left-color: var(--warning-color, #ffa600);
      background: color-mix(in srgb, var(--warning-color, #ffa600) 12%, var(--card-background-color, #fff));
    }
    .tile[data-state="in_call"] {
      border-left-color: var(--info-color, #039be5);
    }
    .tile[data-state="offline"],
    .tile[data-state="unavailable"] {
      opacity: 0.6;
    }
    .emergency {
      display: flex;
      flex-direction: column;
      gap: 4px;
      margin-bottom: 12px;
      padding: 10px 12px;
      border-radius: 8px;
      background: var(--error-color, #db4437);
      color: #fff;
      font-weight: 700;
    }
    .emergency-call {
      display: flex;
      gap: 8px;
      align-items: center;
    }
    .emergency-call ha-icon {
      flex: none;
      --mdc-icon-size: 22px;
    }
    .tile[data-emergency] {
      border-color: var(--error-color, #db4437);
      border-left-color: var(--error-color, #db4437);
      border-width: 2px 2px 2px 6px;
      background: color-mix(in srgb, var(--error-color, #db4437) 14%, var(--card-background-color, #fff));
    }
    .emergency-mark {
      color: var(--error-color, #db4437);
      font-weight: 700;
    }
    .top {
      display: flex;
      justify-content: space-between;
      gap: 8px;
      align-items: baseline;
    }
    .name {
      font-weight: 600;
    }
    .state {
      font-size: 0.85em;
      white-space: nowrap;
    }
    .area,
    .muted {
      color: var(--secondary-text-color, #666);
      font-size: 0.9em;
    }
    .caller {
      font-weight: 600;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      margin-top: 2px;
    }
    button {
      font: inherit;
      font-size: 0.85em;
      padding: 4px 10px;
      border-radius: 14px;
      border: 1px solid var(--primary-color, #03a9f4);
      color: var(--primary-color, #03a9f4);
      background: transparent;
      cursor: pointer;
    }
    button.claim,
    button.callback,
    button.login-confirm {
      background: var(--primary-color, #03a9f4);
      color: var(--text-primary-color, #fff);
    }
    .login-picker {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      align-items: center;
    }
    select.login-account {
      font: inherit;
      font-size: 0.85em;
      flex: 1 1 100%;
      min-width: 0;
      padding: 3px 6px;
      border-radius: 6px;
      border: 1px solid var(--divider-color, #ccc);
      color: var(--primary-text-color, #000);
      background: var(--card-background-color, #fff);
    }
    button[disabled] {
      opacity: 0.5;
      cursor: progress;
    }
    .calls h3 {
      margin: 16px 0 4px;
      font-size: 1em;
    }
    .calls ul {
      margin: 0;
      padding-left: 18px;
    }
    .calls li {
      margin: 4px 0;
    }
    .message {
      color: var(--error-color, #db4437);
    }
  `;customElements.get(z)||(customElements.define(z,B),window.customCards=window.customCards??[],window.customCards.push({type:z,name:H(navigator.language,"card_name"),description:H(navigator.language,"card_description"),preview:!0,documentationURL:"https://github.com/hotdesk-phone/hotdesk_phone#the-hot-desk-board-card"}));export{z as CARD_TYPE,B as HotdeskBoard};
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
lit-html/directive.js:
lit-html/directives/repeat.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/directive-helpers.js:
  (**
   * @license
   * Copyright 2020 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
