// hotdesk-board.js: built from frontend/src by scripts/build-card; do not edit.
var z=globalThis,j=z.ShadowRoot&&(z.ShadyCSS===void 0||z.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,tt=Symbol(),pt=new WeakMap,H=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==tt)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(j&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=pt.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&pt.set(e,t))}return t}toString(){return this.cssText}},gt=i=>new H(typeof i=="string"?i:i+"",void 0,tt),et=(i,...t)=>{let e=i.length===1?i[0]:t.reduce((s,n,o)=>s+(r=>{if(r._$cssResult$===!0)return r.cssText;if(typeof r=="number")return r;throw Error("Value passed to 'css' function must be a 'css' function result: "+r+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(n)+i[o+1],i[0]);return new H(e,i,tt)},_t=(i,t)=>{if(j)i.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),n=z.litNonce;n!==void 0&&s.setAttribute("nonce",n),s.textContent=e.cssText,i.appendChild(s)}},st=j?i=>i:i=>i instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return gt(e)})(i):i;var{is:Zt,defineProperty:Jt,getOwnPropertyDescriptor:Yt,getOwnPropertyNames:Qt,getOwnPropertySymbols:Xt,getPrototypeOf:te}=Object,K=globalThis,ft=K.trustedTypes,ee=ft?ft.emptyScript:"",se=K.reactiveElementPolyfillSupport,M=(i,t)=>i,nt={toAttribute(i,t){switch(t){case Boolean:i=i?ee:null;break;case Object:case Array:i=i==null?i:JSON.stringify(i)}return i},fromAttribute(i,t){let e=i;switch(t){case Boolean:e=i!==null;break;case Number:e=i===null?null:Number(i);break;case Object:case Array:try{e=JSON.parse(i)}catch{e=null}}return e}},$t=(i,t)=>!Zt(i,t),mt={attribute:!0,type:String,converter:nt,reflect:!1,useDefault:!1,hasChanged:$t};Symbol.metadata??=Symbol("metadata"),K.litPropertyMetadata??=new WeakMap;var v=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=mt){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),n=this.getPropertyDescriptor(t,s,e);n!==void 0&&Jt(this.prototype,t,n)}}static getPropertyDescriptor(t,e,s){let{get:n,set:o}=Yt(this.prototype,t)??{get(){return this[e]},set(r){this[e]=r}};return{get:n,set(r){let l=n?.call(this);o?.call(this,r),this.requestUpdate(t,l,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??mt}static _$Ei(){if(this.hasOwnProperty(M("elementProperties")))return;let t=te(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(M("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(M("properties"))){let e=this.properties,s=[...Qt(e),...Xt(e)];for(let n of s)this.createProperty(n,e[n])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,n]of e)this.elementProperties.set(s,n)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let n=this._$Eu(e,s);n!==void 0&&this._$Eh.set(n,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let n of s)e.unshift(st(n))}else t!==void 0&&e.push(st(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return _t(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),n=this.constructor._$Eu(t,s);if(n!==void 0&&s.reflect===!0){let o=(s.converter?.toAttribute!==void 0?s.converter:nt).toAttribute(e,s.type);this._$Em=t,o==null?this.removeAttribute(n):this.setAttribute(n,o),this._$Em=null}}_$AK(t,e){let s=this.constructor,n=s._$Eh.get(t);if(n!==void 0&&this._$Em!==n){let o=s.getPropertyOptions(n),r=typeof o.converter=="function"?{fromAttribute:o.converter}:o.converter?.fromAttribute!==void 0?o.converter:nt;this._$Em=n;let l=r.fromAttribute(e,o.type);this[n]=l??this._$Ej?.get(n)??l,this._$Em=null}}requestUpdate(t,e,s,n=!1,o){if(t!==void 0){let r=this.constructor;if(n===!1&&(o=this[t]),s??=r.getPropertyOptions(t),!((s.hasChanged??$t)(o,e)||s.useDefault&&s.reflect&&o===this._$Ej?.get(t)&&!this.hasAttribute(r._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:n,wrapped:o},r){s&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,r??e??this[t]),o!==!0||r!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),n===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[n,o]of this._$Ep)this[n]=o;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[n,o]of s){let{wrapped:r}=o,l=this[n];r!==!0||this._$AL.has(n)||l===void 0||this.C(n,void 0,o,l)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};v.elementStyles=[],v.shadowRootOptions={mode:"open"},v[M("elementProperties")]=new Map,v[M("finalized")]=new Map,se?.({ReactiveElement:v}),(K.reactiveElementVersions??=[]).push("2.1.2");var ot=globalThis,yt=i=>i,V=ot.trustedTypes,vt=V?V.createPolicy("lit-html",{createHTML:i=>i}):void 0,rt="$lit$",A=`lit$${Math.random().toFixed(9).slice(2)}$`,at="?"+A,ne=`<${at}>`,E=document,N=()=>E.createComment(""),L=i=>i===null||typeof i!="object"&&typeof i!="function",lt=Array.isArray,Et=i=>lt(i)||typeof i?.[Symbol.iterator]=="function",it=`[ 	
\f\r]`,R=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,At=/-->/g,bt=/>/g,w=RegExp(`>|${it}(?:([^\\s"'>=/]+)(${it}*=${it}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),xt=/'/g,wt=/"/g,kt=/^(?:script|style|textarea|title)$/i,ct=i=>(t,...e)=>({_$litType$:i,strings:t,values:e}),_=ct(1),me=ct(2),$e=ct(3),b=Symbol.for("lit-noChange"),p=Symbol.for("lit-nothing"),St=new WeakMap,S=E.createTreeWalker(E,129);function Ct(i,t){if(!lt(i)||!i.hasOwnProperty("raw"))throw Error("invalid template strings array");return vt!==void 0?vt.createHTML(t):t}var It=(i,t)=>{let e=i.length-1,s=[],n,o=t===2?"<svg>":t===3?"<math>":"",r=R;for(let l=0;l<e;l++){let a=i[l],d,g,c=-1,h=0;for(;h<a.length&&(r.lastIndex=h,g=r.exec(a),g!==null);)h=r.lastIndex,r===R?g[1]==="!--"?r=At:g[1]!==void 0?r=bt:g[2]!==void 0?(kt.test(g[2])&&(n=RegExp("</"+g[2],"g")),r=w):g[3]!==void 0&&(r=w):r===w?g[0]===">"?(r=n??R,c=-1):g[1]===void 0?c=-2:(c=r.lastIndex-g[2].length,d=g[1],r=g[3]===void 0?w:g[3]==='"'?wt:xt):r===wt||r===xt?r=w:r===At||r===bt?r=R:(r=w,n=void 0);let u=r===w&&i[l+1].startsWith("/>")?" ":"";o+=r===R?a+ne:c>=0?(s.push(d),a.slice(0,c)+rt+a.slice(c)+A+u):a+A+(c===-2?l:u)}return[Ct(i,o+(i[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},O=class i{constructor({strings:t,_$litType$:e},s){let n;this.parts=[];let o=0,r=0,l=t.length-1,a=this.parts,[d,g]=It(t,e);if(this.el=i.createElement(d,s),S.currentNode=this.el.content,e===2||e===3){let c=this.el.content.firstChild;c.replaceWith(...c.childNodes)}for(;(n=S.nextNode())!==null&&a.length<l;){if(n.nodeType===1){if(n.hasAttributes())for(let c of n.getAttributeNames())if(c.endsWith(rt)){let h=g[r++],u=n.getAttribute(c).split(A),f=/([.?@])?(.*)/.exec(h);a.push({type:1,index:o,name:f[2],strings:u,ctor:f[1]==="."?q:f[1]==="?"?G:f[1]==="@"?F:C}),n.removeAttribute(c)}else c.startsWith(A)&&(a.push({type:6,index:o}),n.removeAttribute(c));if(kt.test(n.tagName)){let c=n.textContent.split(A),h=c.length-1;if(h>0){n.textContent=V?V.emptyScript:"";for(let u=0;u<h;u++)n.append(c[u],N()),S.nextNode(),a.push({type:2,index:++o});n.append(c[h],N())}}}else if(n.nodeType===8)if(n.data===at)a.push({type:2,index:o});else{let c=-1;for(;(c=n.data.indexOf(A,c+1))!==-1;)a.push({type:7,index:o}),c+=A.length-1}o++}}static createElement(t,e){let s=E.createElement("template");return s.innerHTML=t,s}};function k(i,t,e=i,s){if(t===b)return t;let n=s!==void 0?e._$Co?.[s]:e._$Cl,o=L(t)?void 0:t._$litDirective$;return n?.constructor!==o&&(n?._$AO?.(!1),o===void 0?n=void 0:(n=new o(i),n._$AT(i,e,s)),s!==void 0?(e._$Co??=[])[s]=n:e._$Cl=n),n!==void 0&&(t=k(i,n._$AS(i,t.values),n,s)),t}var W=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,n=(t?.creationScope??E).importNode(e,!0);S.currentNode=n;let o=S.nextNode(),r=0,l=0,a=s[0];for(;a!==void 0;){if(r===a.index){let d;a.type===2?d=new P(o,o.nextSibling,this,t):a.type===1?d=new a.ctor(o,a.name,a.strings,this,t):a.type===6&&(d=new Z(o,this,t)),this._$AV.push(d),a=s[++l]}r!==a?.index&&(o=S.nextNode(),r++)}return S.currentNode=E,n}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},P=class i{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,n){this.type=2,this._$AH=p,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=n,this._$Cv=n?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=k(this,t,e),L(t)?t===p||t==null||t===""?(this._$AH!==p&&this._$AR(),this._$AH=p):t!==this._$AH&&t!==b&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):Et(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==p&&L(this._$AH)?this._$AA.nextSibling.data=t:this.T(E.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,n=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=O.createElement(Ct(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===n)this._$AH.p(e);else{let o=new W(n,this),r=o.u(this.options);o.p(e),this.T(r),this._$AH=o}}_$AC(t){let e=St.get(t.strings);return e===void 0&&St.set(t.strings,e=new O(t)),e}k(t){lt(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,n=0;for(let o of t)n===e.length?e.push(s=new i(this.O(N()),this.O(N()),this,this.options)):s=e[n],s._$AI(o),n++;n<e.length&&(this._$AR(s&&s._$AB.nextSibling,n),e.length=n)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=yt(t).nextSibling;yt(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},C=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,n,o){this.type=1,this._$AH=p,this._$AN=void 0,this.element=t,this.name=e,this._$AM=n,this.options=o,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=p}_$AI(t,e=this,s,n){let o=this.strings,r=!1;if(o===void 0)t=k(this,t,e,0),r=!L(t)||t!==this._$AH&&t!==b,r&&(this._$AH=t);else{let l=t,a,d;for(t=o[0],a=0;a<o.length-1;a++)d=k(this,l[s+a],e,a),d===b&&(d=this._$AH[a]),r||=!L(d)||d!==this._$AH[a],d===p?t=p:t!==p&&(t+=(d??"")+o[a+1]),this._$AH[a]=d}r&&!n&&this.j(t)}j(t){t===p?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},q=class extends C{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===p?void 0:t}},G=class extends C{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==p)}},F=class extends C{constructor(t,e,s,n,o){super(t,e,s,n,o),this.type=5}_$AI(t,e=this){if((t=k(this,t,e,0)??p)===b)return;let s=this._$AH,n=t===p&&s!==p||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,o=t!==p&&(s===p||n);n&&this.element.removeEventListener(this.name,this,s),o&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},Z=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){k(this,t)}},Pt={M:rt,P:A,A:at,C:1,L:It,R:W,D:Et,V:k,I:P,H:C,N:G,U:F,B:q,F:Z},ie=ot.litHtmlPolyfillSupport;ie?.(O,P),(ot.litHtmlVersions??=[]).push("3.3.3");var Tt=(i,t,e)=>{let s=e?.renderBefore??t,n=s._$litPart$;if(n===void 0){let o=e?.renderBefore??null;s._$litPart$=n=new P(t.insertBefore(N(),o),o,void 0,e??{})}return n._$AI(i),n};var dt=globalThis,$=class extends v{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=Tt(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return b}};$._$litElement$=!0,$.finalized=!0,dt.litElementHydrateSupport?.({LitElement:$});var oe=dt.litElementPolyfillSupport;oe?.({LitElement:$});(dt.litElementVersions??=[]).push("4.2.2");var Dt={ATTRIBUTE:1,CHILD:2,PROPERTY:3,BOOLEAN_ATTRIBUTE:4,EVENT:5,ELEMENT:6},Ht=i=>(...t)=>({_$litDirective$:i,values:t}),J=class{constructor(t){}get _$AU(){return this._$AM._$AU}_$AT(t,e,s){this._$Ct=t,this._$AM=e,this._$Ci=s}_$AS(t,e){return this.update(t,e)}update(t,e){return this.render(...e)}};var{I:re}=Pt,Mt=i=>i;var Rt=()=>document.createComment(""),T=(i,t,e)=>{let s=i._$AA.parentNode,n=t===void 0?i._$AB:t._$AA;if(e===void 0){let o=s.insertBefore(Rt(),n),r=s.insertBefore(Rt(),n);e=new re(o,r,i,i.options)}else{let o=e._$AB.nextSibling,r=e._$AM,l=r!==i;if(l){let a;e._$AQ?.(i),e._$AM=i,e._$AP!==void 0&&(a=i._$AU)!==r._$AU&&e._$AP(a)}if(o!==n||l){let a=e._$AA;for(;a!==o;){let d=Mt(a).nextSibling;Mt(s).insertBefore(a,n),a=d}}}return e},x=(i,t,e=i)=>(i._$AI(t,e),i),ae={},Nt=(i,t=ae)=>i._$AH=t,Lt=i=>i._$AH,Y=i=>{i._$AR(),i._$AA.remove()};var Ot=(i,t,e)=>{let s=new Map;for(let n=t;n<=e;n++)s.set(i[n],n);return s},Ut=Ht(class extends J{constructor(i){if(super(i),i.type!==Dt.CHILD)throw Error("repeat() can only be used in text expressions")}dt(i,t,e){let s;e===void 0?e=t:t!==void 0&&(s=t);let n=[],o=[],r=0;for(let l of i)n[r]=s?s(l,r):r,o[r]=e(l,r),r++;return{values:o,keys:n}}render(i,t,e){return this.dt(i,t,e).values}update(i,[t,e,s]){let n=Lt(i),{values:o,keys:r}=this.dt(t,e,s);if(!Array.isArray(n))return this.ut=r,o;let l=this.ut??=[],a=[],d,g,c=0,h=n.length-1,u=0,f=o.length-1;for(;c<=h&&u<=f;)if(n[c]===null)c++;else if(n[h]===null)h--;else if(l[c]===r[u])a[u]=x(n[c],o[u]),c++,u++;else if(l[h]===r[f])a[f]=x(n[h],o[f]),h--,f--;else if(l[c]===r[f])a[f]=x(n[c],o[f]),T(i,a[f+1],n[c]),c++,f--;else if(l[h]===r[u])a[u]=x(n[h],o[u]),T(i,n[c],n[h]),h--,u++;else if(d===void 0&&(d=Ot(r,u,f),g=Ot(l,c,h)),d.has(l[c]))if(d.has(l[h])){let y=g.get(r[u]),X=y!==void 0?n[y]:null;if(X===null){let ut=T(i,n[c]);x(ut,o[u]),a[u]=ut}else a[u]=x(X,o[u]),T(i,n[c],X),n[y]=null;u++}else Y(n[h]),h--;else Y(n[c]),c++;for(;u<=f;){let y=T(i,a[f+1]);x(y,o[u]),a[u++]=y}for(;c<=h;){let y=n[c++];y!==null&&Y(y)}return this.ut=r,Nt(i,a),b}});var jt={card_name:"Hot-desk board",card_description:"Every desk phone: who is logged in, ringing and in-call state, and buttons to log in, log out, claim a ringing call or call back.",default_title:"Hot-desk board",no_desks:"No desk phones yet: add them under Settings → Devices & services → Hot-desk phone for Asterisk.",nobody:"Nobody logged in",logged_in_since:"{account} since {time}",ringing_for:"Ringing for {account}",in_call_with:"In call with {caller}",in_call:"In call",unknown_caller:"an unknown caller",log_out:"Log out",log_in_open:"Log in…",log_in_account:"Account to log in at {desk}",log_in_choose:"Choose an account",log_in:"Log in",cancel:"Cancel",claim_here:"Claim {account}'s call here",calls:"Calls",no_calls:"No call ringing.",call_rings:"{caller} → {account} ({extension}), ringing at {desks}",call_answered:"{caller} ↔ {account} ({extension}) at {desk}",last_missed:"{account} ({extension}) missed {caller}",call_back:"Call back",nowhere:"no desk",failed:"Failed: {error}",editor_title:"Title",editor_areas:"Only desks in these areas",editor_show_calls:"Show ringing calls and missed calls",editor_show_offline:"Show offline desks"},le={card_name:"Hot-Desk-Übersicht",card_description:"Jedes Tischtelefon: wer angemeldet ist, ob es klingelt oder telefoniert, und Knöpfe zum Anmelden, Abmelden, Anruf heranholen oder Zurückrufen.",default_title:"Hot-Desk-Übersicht",no_desks:"Noch keine Tischtelefone: Füge sie unter Einstellungen → Geräte & Dienste → Hot-desk phone for Asterisk hinzu.",nobody:"Niemand angemeldet",logged_in_since:"{account} seit {time}",ringing_for:"Klingelt für {account}",in_call_with:"Im Gespräch mit {caller}",in_call:"Im Gespräch",unknown_caller:"unbekanntem Anrufer",log_out:"Abmelden",log_in_open:"Anmelden…",log_in_account:"Konto, das du an {desk} anmeldest",log_in_choose:"Wähle ein Konto",log_in:"Anmelden",cancel:"Abbrechen",claim_here:"Anruf für {account} hierher holen",calls:"Anrufe",no_calls:"Kein Anruf klingelt.",call_rings:"{caller} → {account} ({extension}), klingelt an {desks}",call_answered:"{caller} ↔ {account} ({extension}) an {desk}",last_missed:"{account} ({extension}) hat {caller} verpasst",call_back:"Zurückrufen",nowhere:"keinem Tisch",failed:"Fehlgeschlagen: {error}",editor_title:"Titel",editor_areas:"Nur Tische in diesen Bereichen",editor_show_calls:"Klingelnde und verpasste Anrufe zeigen",editor_show_offline:"Nicht erreichbare Tische zeigen"},Bt={card_name:"工位看板",card_description:"每部工位电话：谁已登录、振铃和通话状态，以及登录、注销、在此接听振铃来电和回拨的按钮。",default_title:"工位看板",no_desks:"尚无工位电话：请在 设置 → 设备与服务 → Hot-desk phone for Asterisk 中添加。",nobody:"无人登录",logged_in_since:"{account}，自 {time}",ringing_for:"正在为 {account} 振铃",in_call_with:"正在与 {caller} 通话",in_call:"通话中",unknown_caller:"未知来电者",log_out:"注销",log_in_open:"登录…",log_in_account:"要在 {desk} 登录的账户",log_in_choose:"选择账户",log_in:"登录",cancel:"取消",claim_here:"在此接听 {account} 的来电",calls:"来电",no_calls:"没有振铃的来电。",call_rings:"{caller} → {account}（{extension}），正在 {desks} 振铃",call_answered:"{caller} ↔ {account}（{extension}），在 {desk}",last_missed:"{account}（{extension}）未接 {caller} 的来电",call_back:"回拨",nowhere:"无工位",failed:"失败：{error}",editor_title:"标题",editor_areas:"仅显示这些区域的工位",editor_show_calls:"显示振铃和未接来电",editor_show_offline:"显示离线工位"},zt={en:jt,de:le,"zh-Hans":Bt,zh:Bt};function D(i,t,e={}){return(zt[i??"en"]??zt[(i??"en").split("-")[0]]??jt)[t].replace(/\{(\w+)\}/g,(n,o)=>e[o]??"")}var ce=[{name:"title",selector:{text:{}}},{name:"areas",selector:{area:{multiple:!0}}},{name:"show_calls",selector:{boolean:{}}},{name:"show_offline",selector:{boolean:{}}}],de={title:"editor_title",areas:"editor_areas",show_calls:"editor_show_calls",show_offline:"editor_show_offline"},Q=class extends ${constructor(){super(...arguments);this._label=e=>D(this.hass?.locale?.language??this.hass?.language,de[e.name]??"editor_title")}setConfig(e){this._config=e}_changed(e){e.stopPropagation();let s={...e.detail.value};for(let n of["title","areas"]){let o=s[n];(o===""||Array.isArray(o)&&o.length===0)&&delete s[n]}this._config=s,this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:s},bubbles:!0,composed:!0}))}render(){return!this.hass||!this._config?p:_`<ha-form
      .hass=${this.hass}
      .data=${{show_calls:!0,show_offline:!0,...this._config}}
      .schema=${ce}
      .computeLabel=${this._label}
      @value-changed=${this._changed}
    ></ha-form>`}};Q.properties={hass:{attribute:!1},_config:{state:!0}};customElements.get("hotdesk-board-editor")||customElements.define("hotdesk-board-editor",Q);var I="hotdesk_phone";function m(i){return typeof i=="string"&&i!==""?i:null}function Kt(i,t){let s=i.devices[t]?.identifiers?.find(([n])=>n===I);return s?s[1]:t}function Vt(i,t){let e=i.devices[t];return e?.name_by_user||e?.name||t}var Wt=new Intl.Collator(void 0,{numeric:!0,sensitivity:"base"});function ht(i){let t=new Map;for(let n of Object.values(i.entities??{})){if(n.platform!==I||!n.device_id||!n.translation_key)continue;let o=t.get(n.device_id);o||(o=new Map,t.set(n.device_id,o)),o.set(n.translation_key,n.entity_id)}let e=[],s=[];for(let[n,o]of t){let r=o.get("desk_call_state"),l=o.get("account_call_state");if(r&&i.states[r]){let a=i.states[r],d=i.states[o.get("logged_in_account")??""],g=d?.attributes??{},c=i.devices[n],h=i.entities[r]?.area_id??c?.area_id??null,u=m(g.since),f=d&&m(g.account_id)?d.state:null;e.push({deviceId:n,deskId:Kt(i,n),name:Vt(i,n),directoryName:c?.name??n,areaId:h,area:h?i.areas[h]?.name??null:null,state:a.state,stateEntity:a,loggedIn:f,loggedInAccountId:f?m(g.account_id):null,loggedInExtension:m(g.extension),since:u?new Date(u):null,logoutEntityId:o.get("logout")??null})}else if(l&&i.states[l]){let a=i.states[l],d=a.attributes,g="caller_id_number"in d?a:i.states[o.get("caller")??""],c=a.state==="ringing"||a.state==="in_call",h=o.get("missed_calls")??null;s.push({deviceId:n,accountId:Kt(i,n),name:Vt(i,n),extension:m(d.extension),state:a.state,callId:m(d.call_id),caller:c&&g?he(g):null,callerNumber:c?m(g?.attributes.caller_id_number):null,ringingDeskIds:Array.isArray(d.ringing_desk_ids)?d.ringing_desk_ids:[],answeredDesk:m(d.answered_desk),claimedDesk:m(d.claimed_desk),missedEntityId:h,missedCount:h?i.states[h]?.state??null:null,people:Array.isArray(d.people)?d.people.filter(u=>typeof u=="string"):null})}}return e.sort((n,o)=>Wt.compare(n.name,o.name)),s.sort((n,o)=>Wt.compare(n.name,o.name)),{desks:e,accounts:s}}function he(i){let t=m(i.attributes.caller_id_name),e=m(i.attributes.caller_id_number);return t&&e?`${t} <${e}>`:t??e}function qt(i,t){for(let e of i.accounts)if(e.state==="ringing"&&e.ringingDeskIds.includes(t.deskId))return e;for(let e of i.accounts)if(e.state==="in_call"&&(e.answeredDesk===t.directoryName||e.claimedDesk===t.directoryName))return e;return null}function ue(i){let t=i.user;if(!t||t.is_admin)return()=>!0;let e=null;return s=>{if(s.people===null)return!0;e===null&&(e=new Set(Object.values(i.states).filter(o=>o.entity_id.startsWith("person.")&&o.attributes.user_id===t.id).map(o=>o.entity_id)));let n=e;return s.people.some(o=>n.has(o))}}function Gt(i,t){let e=ue(i);return{accounts:t.accounts.filter(s=>s.extension!==null&&e(s)),byId:new Map(t.accounts.map(s=>[s.accountId,s])),may:e}}function Ft(i,t){if(t.state==="unavailable")return!1;let e=t.loggedInAccountId?i.byId.get(t.loggedInAccountId):void 0;return e&&!i.may(e)?!1:i.accounts.length>1||i.accounts.length===1&&i.accounts[0].accountId!==t.loggedInAccountId}var B="hotdesk-board",U=class extends ${constructor(){super(...arguments);this._missed=new Map;this._missedSeen=new Map;this._message="";this._busy="";this._picking=""}static getConfigElement(){return document.createElement(`${B}-editor`)}static getStubConfig(){return{type:`custom:${B}`,show_calls:!0,show_offline:!0}}setConfig(e){if(!e||typeof e!="object")throw new Error("Invalid configuration");this._config={show_calls:!0,show_offline:!0,...e}}getCardSize(){return 4}getGridOptions(){return{columns:12,min_columns:6,rows:4}}_t(e,s){return D(this.hass?.locale?.language??this.hass?.language,e,s)}shouldUpdate(e){if(!e.has("hass")||e.size>1)return!0;let s=e.get("hass"),n=this.hass;if(!s||!n||s.entities!==n.entities||s.devices!==n.devices||s.areas!==n.areas||s.language!==n.language||s.localize!==n.localize||s.formatEntityState!==n.formatEntityState)return!0;for(let o of Object.values(n.entities))if(o.platform===I&&s.states[o.entity_id]!==n.states[o.entity_id])return!0;return!1}willUpdate(){let e=this.hass?.language;e&&this._translated!==e&&this.hass?.loadBackendTranslation&&(this._translated=e,this.hass.loadBackendTranslation("entity",I))}updated(e){if(e.has("_picking")&&this._picking&&this.renderRoot.querySelector("select.login-account")?.focus(),!(!this.hass||!this._config?.show_calls))for(let s of ht(this.hass).accounts)this._missedSeen.get(s.accountId)!==s.missedCount&&(this._missedSeen.set(s.accountId,s.missedCount),s.extension&&s.missedCount&&s.missedCount!=="0"&&this._loadMissed(s))}async _loadMissed(e){try{let o=((await this.hass.callWS({type:"call_service",domain:I,service:"call_log",service_data:{extension:e.extension},return_response:!0})).response?.calls??[]).find(l=>l.outcome==="missed"&&l.caller_id_number),r=new Map(this._missed);if(o){let l=o.caller_id_number,a=o.caller_id_name;r.set(e.accountId,{number:l,caller:a?`${a} <${l}>`:l})}else r.delete(e.accountId);this._missed=r}catch{}}async _act(e,s,n){this._busy=e,this._message="";try{return await this.hass.callService(I,s,n),!0}catch(o){let r=o instanceof Error?o.message:String(o?.message??o);return this._message=this._t("failed",{error:r}),!1}finally{this._busy=""}}_stateLabel(e){return this.hass.formatEntityState?.(e.stateEntity)??e.state}_time(e){let s=this.hass?.locale?.language??this.hass?.language??"en";try{return e.toLocaleTimeString(s,{hour:"2-digit",minute:"2-digit",timeZone:this.hass?.config.time_zone})}catch{return e.toLocaleTimeString()}}_deskNames(e,s){let n=s.map(o=>e.desks.find(r=>r.deskId===o)?.name??o);return n.length?n.join(", "):this._t("nowhere")}render(){if(!this.hass||!this._config)return p;let e=ht(this.hass),s=this._config.areas?.length?new Set(this._config.areas):null,n=e.desks.filter(l=>(!s||l.areaId!==null&&s.has(l.areaId))&&(this._config.show_offline!==!1||l.state!=="offline")),o=e.accounts.filter(l=>l.state==="ringing"),r=Gt(this.hass,e);return _`
      <ha-card .header=${this._config.title??this._t("default_title")}>
        <div class="content">
          ${n.length?_`<div class="grid">${n.map(l=>this._renderDesk(e,l,o,r))}</div>`:_`<p class="empty">${this._t("no_desks")}</p>`}
          ${this._config.show_calls?this._renderCalls(e):p}
          ${this._message?_`<p class="message" role="alert">${this._message}</p>`:p}
        </div>
      </ha-card>
    `}_renderDesk(e,s,n,o){let r=qt(e,s),l=p;r&&s.state==="ringing"?l=_`<div class="call">${this._t("ringing_for",{account:r.name})}${r.caller?_` · <span class="caller">${r.caller}</span>`:p}</div>`:s.state==="in_call"&&(l=_`<div class="call">${r?this._t("in_call_with",{caller:r.caller??this._t("unknown_caller")}):this._t("in_call")}</div>`);let a=n.filter(d=>d.extension&&!d.ringingDeskIds.includes(s.deskId));return _`
      <div class="tile" data-desk=${s.deskId} data-state=${s.state}>
        <div class="top">
          <span class="name">${s.name}</span>
          <span class="state ${s.state}">${this._stateLabel(s)}</span>
        </div>
        ${s.area?_`<div class="area">${s.area}</div>`:p}
        <div class="login">
          ${s.loggedIn?this._t("logged_in_since",{account:s.loggedInExtension?`${s.loggedIn} (${s.loggedInExtension})`:s.loggedIn,time:s.since?this._time(s.since):"?"}):_`<span class="muted">${this._t("nobody")}</span>`}
        </div>
        ${l}
        <div class="actions">
          ${s.loggedIn?_`<button
                class="logout"
                ?disabled=${this._busy===`logout-${s.deskId}`}
                @click=${()=>this._act(`logout-${s.deskId}`,"logout",{desk:s.deviceId})}
              >
                ${this._t("log_out")}
              </button>`:p}
          ${a.map(d=>_`<button
              class="claim"
              data-account=${d.accountId}
              ?disabled=${this._busy===`claim-${s.deskId}`}
              @click=${()=>this._act(`claim-${s.deskId}`,"claim_call",{extension:d.extension,desk:s.deviceId})}
            >
              ${this._t("claim_here",{account:d.name})}
            </button>`)}
          ${this._picking!==s.deskId&&Ft(o,s)?_`<button class="login-open" @click=${()=>this._picking=s.deskId}>
                ${this._t("log_in_open")}
              </button>`:p}
        </div>
        ${this._picking===s.deskId?this._renderLoginPicker(s,o):p}
      </div>
    `}_renderLoginPicker(e,s){let n=s.accounts.filter(l=>l.accountId!==e.loggedInAccountId),o=this._busy===`login-${e.deskId}`,r=async()=>{let a=this.renderRoot.querySelector(`.tile[data-desk="${CSS.escape(e.deskId)}"] select.login-account`)?.value;a&&await this._act(`login-${e.deskId}`,"login",{extension:a,desk:e.deviceId})&&this._picking===e.deskId&&(this._picking="")};return _`<div class="login-picker">
      <select
        class="login-account"
        aria-label=${this._t("log_in_account",{desk:e.name})}
        ?disabled=${o}
        @keydown=${l=>{l.key==="Escape"&&(this._picking="")}}
      >
        <option value="" selected disabled>${this._t("log_in_choose")}</option>
        ${Ut(n,l=>l.accountId,l=>_`<option value=${l.extension} data-account=${l.accountId}>${l.name} (${l.extension})</option>`)}
      </select>
      <button class="login-confirm" ?disabled=${o} @click=${r}>${this._t("log_in")}</button>
      <button class="login-cancel" ?disabled=${o} @click=${()=>this._picking=""}>
        ${this._t("cancel")}
      </button>
    </div>`}_renderCalls(e){let s=e.accounts.filter(o=>o.state==="ringing"||o.state==="in_call"),n=e.accounts.filter(o=>this._missed.has(o.accountId)&&o.extension);return _`
      <div class="calls">
        <h3>${this._t("calls")}</h3>
        ${s.length?p:_`<p class="muted">${this._t("no_calls")}</p>`}
        <ul>
          ${s.map(o=>_`<li class="active-call ${o.state}" data-account=${o.accountId}>
              ${o.state==="ringing"?this._t("call_rings",{caller:o.caller??this._t("unknown_caller"),account:o.name,extension:o.extension??"",desks:this._deskNames(e,o.ringingDeskIds)}):this._t("call_answered",{caller:o.caller??this._t("unknown_caller"),account:o.name,extension:o.extension??"",desk:o.answeredDesk??o.claimedDesk??this._t("nowhere")})}
            </li>`)}
          ${n.map(o=>{let r=this._missed.get(o.accountId);return _`<li class="missed" data-account=${o.accountId}>
              ${this._t("last_missed",{account:o.name,extension:o.extension,caller:r.caller})}
              <button
                class="callback"
                ?disabled=${this._busy===`call-${o.accountId}`}
                @click=${()=>this._act(`call-${o.accountId}`,"call",{extension:o.extension,number:r.number})}
              >
                ${this._t("call_back")}
              </button>
            </li>`})}
        </ul>
      </div>
    `}};U.properties={hass:{attribute:!1},_config:{state:!0},_missed:{state:!0},_message:{state:!0},_busy:{state:!0},_picking:{state:!0}},U.styles=et`
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
  `;customElements.get(B)||(customElements.define(B,U),window.customCards=window.customCards??[],window.customCards.push({type:B,name:D(navigator.language,"card_name"),description:D(navigator.language,"card_description"),preview:!0,documentationURL:"https://github.com/hotdesk-phone/hotdesk_phone#the-hot-desk-board-card"}));export{B as CARD_TYPE,U as HotdeskBoard};
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
