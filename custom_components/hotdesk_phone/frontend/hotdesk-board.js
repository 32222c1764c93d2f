// hotdesk-board.js: built from frontend/src by scripts/build-card; do not edit.
var j=globalThis,K=j.ShadowRoot&&(j.ShadyCSS===void 0||j.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,ee=Symbol(),_e=new WeakMap,H=class{constructor(e,t,n){if(this._$cssResult$=!0,n!==ee)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(K&&e===void 0){let n=t!==void 0&&t.length===1;n&&(e=_e.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),n&&_e.set(t,e))}return e}toString(){return this.cssText}},pe=i=>new H(typeof i=="string"?i:i+"",void 0,ee),te=(i,...e)=>{let t=i.length===1?i[0]:e.reduce((n,s,o)=>n+(r=>{if(r._$cssResult$===!0)return r.cssText;if(typeof r=="number")return r;throw Error("Value passed to 'css' function must be a 'css' function result: "+r+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(s)+i[o+1],i[0]);return new H(t,i,ee)},me=(i,e)=>{if(K)i.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let n=document.createElement("style"),s=j.litNonce;s!==void 0&&n.setAttribute("nonce",s),n.textContent=t.cssText,i.appendChild(n)}},ne=K?i=>i:i=>i instanceof CSSStyleSheet?(e=>{let t="";for(let n of e.cssRules)t+=n.cssText;return pe(t)})(i):i;var{is:Je,defineProperty:Ye,getOwnPropertyDescriptor:Qe,getOwnPropertyNames:Xe,getOwnPropertySymbols:et,getPrototypeOf:tt}=Object,V=globalThis,fe=V.trustedTypes,nt=fe?fe.emptyScript:"",st=V.reactiveElementPolyfillSupport,L=(i,e)=>i,se={toAttribute(i,e){switch(e){case Boolean:i=i?nt:null;break;case Object:case Array:i=i==null?i:JSON.stringify(i)}return i},fromAttribute(i,e){let t=i;switch(e){case Boolean:t=i!==null;break;case Number:t=i===null?null:Number(i);break;case Object:case Array:try{t=JSON.parse(i)}catch{t=null}}return t}},$e=(i,e)=>!Je(i,e),be={attribute:!0,type:String,converter:se,reflect:!1,useDefault:!1,hasChanged:$e};Symbol.metadata??=Symbol("metadata"),V.litPropertyMetadata??=new WeakMap;var y=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=be){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let n=Symbol(),s=this.getPropertyDescriptor(e,n,t);s!==void 0&&Ye(this.prototype,e,s)}}static getPropertyDescriptor(e,t,n){let{get:s,set:o}=Qe(this.prototype,e)??{get(){return this[t]},set(r){this[t]=r}};return{get:s,set(r){let a=s?.call(this);o?.call(this,r),this.requestUpdate(e,a,n)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??be}static _$Ei(){if(this.hasOwnProperty(L("elementProperties")))return;let e=tt(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(L("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(L("properties"))){let t=this.properties,n=[...Xe(t),...et(t)];for(let s of n)this.createProperty(s,t[s])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[n,s]of t)this.elementProperties.set(n,s)}this._$Eh=new Map;for(let[t,n]of this.elementProperties){let s=this._$Eu(t,n);s!==void 0&&this._$Eh.set(s,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let n=new Set(e.flat(1/0).reverse());for(let s of n)t.unshift(ne(s))}else e!==void 0&&t.push(ne(e));return t}static _$Eu(e,t){let n=t.attribute;return n===!1?void 0:typeof n=="string"?n:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let n of t.keys())this.hasOwnProperty(n)&&(e.set(n,this[n]),delete this[n]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return me(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,n){this._$AK(e,n)}_$ET(e,t){let n=this.constructor.elementProperties.get(e),s=this.constructor._$Eu(e,n);if(s!==void 0&&n.reflect===!0){let o=(n.converter?.toAttribute!==void 0?n.converter:se).toAttribute(t,n.type);this._$Em=e,o==null?this.removeAttribute(s):this.setAttribute(s,o),this._$Em=null}}_$AK(e,t){let n=this.constructor,s=n._$Eh.get(e);if(s!==void 0&&this._$Em!==s){let o=n.getPropertyOptions(s),r=typeof o.converter=="function"?{fromAttribute:o.converter}:o.converter?.fromAttribute!==void 0?o.converter:se;this._$Em=s;let a=r.fromAttribute(t,o.type);this[s]=a??this._$Ej?.get(s)??a,this._$Em=null}}requestUpdate(e,t,n,s=!1,o){if(e!==void 0){let r=this.constructor;if(s===!1&&(o=this[e]),n??=r.getPropertyOptions(e),!((n.hasChanged??$e)(o,t)||n.useDefault&&n.reflect&&o===this._$Ej?.get(e)&&!this.hasAttribute(r._$Eu(e,n))))return;this.C(e,t,n)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:n,reflect:s,wrapped:o},r){n&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,r??t??this[e]),o!==!0||r!==void 0)||(this._$AL.has(e)||(this.hasUpdated||n||(t=void 0),this._$AL.set(e,t)),s===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[s,o]of this._$Ep)this[s]=o;this._$Ep=void 0}let n=this.constructor.elementProperties;if(n.size>0)for(let[s,o]of n){let{wrapped:r}=o,a=this[s];r!==!0||this._$AL.has(s)||a===void 0||this.C(s,void 0,o,a)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(n=>n.hostUpdate?.()),this.update(t)):this._$EM()}catch(n){throw e=!1,this._$EM(),n}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};y.elementStyles=[],y.shadowRootOptions={mode:"open"},y[L("elementProperties")]=new Map,y[L("finalized")]=new Map,st?.({ReactiveElement:y}),(V.reactiveElementVersions??=[]).push("2.1.2");var oe=globalThis,ye=i=>i,q=oe.trustedTypes,ve=q?q.createPolicy("lit-html",{createHTML:i=>i}):void 0,re="$lit$",v=`lit$${Math.random().toFixed(9).slice(2)}$`,ae="?"+v,it=`<${ae}>`,E=document,M=()=>E.createComment(""),B=i=>i===null||typeof i!="object"&&typeof i!="function",le=Array.isArray,Se=i=>le(i)||typeof i?.[Symbol.iterator]=="function",ie=`[ 	
\f\r]`,R=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,ke=/-->/g,Ae=/>/g,x=RegExp(`>|${ie}(?:([^\\s"'>=/]+)(${ie}*=${ie}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),xe=/'/g,we=/"/g,Ie=/^(?:script|style|textarea|title)$/i,ce=i=>(e,...t)=>({_$litType$:i,strings:e,values:t}),m=ce(1),vt=ce(2),kt=ce(3),k=Symbol.for("lit-noChange"),g=Symbol.for("lit-nothing"),Ee=new WeakMap,w=E.createTreeWalker(E,129);function Ce(i,e){if(!le(i)||!i.hasOwnProperty("raw"))throw Error("invalid template strings array");return ve!==void 0?ve.createHTML(e):e}var Te=(i,e)=>{let t=i.length-1,n=[],s,o=e===2?"<svg>":e===3?"<math>":"",r=R;for(let a=0;a<t;a++){let l=i[a],_,u,c=-1,d=0;for(;d<l.length&&(r.lastIndex=d,u=r.exec(l),u!==null);)d=r.lastIndex,r===R?u[1]==="!--"?r=ke:u[1]!==void 0?r=Ae:u[2]!==void 0?(Ie.test(u[2])&&(s=RegExp("</"+u[2],"g")),r=x):u[3]!==void 0&&(r=x):r===x?u[0]===">"?(r=s??R,c=-1):u[1]===void 0?c=-2:(c=r.lastIndex-u[2].length,_=u[1],r=u[3]===void 0?x:u[3]==='"'?we:xe):r===we||r===xe?r=x:r===ke||r===Ae?r=R:(r=x,s=void 0);let h=r===x&&i[a+1].startsWith("/>")?" ":"";o+=r===R?l+it:c>=0?(n.push(_),l.slice(0,c)+re+l.slice(c)+v+h):l+v+(c===-2?a:h)}return[Ce(i,o+(i[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),n]},O=class i{constructor({strings:e,_$litType$:t},n){let s;this.parts=[];let o=0,r=0,a=e.length-1,l=this.parts,[_,u]=Te(e,t);if(this.el=i.createElement(_,n),w.currentNode=this.el.content,t===2||t===3){let c=this.el.content.firstChild;c.replaceWith(...c.childNodes)}for(;(s=w.nextNode())!==null&&l.length<a;){if(s.nodeType===1){if(s.hasAttributes())for(let c of s.getAttributeNames())if(c.endsWith(re)){let d=u[r++],h=s.getAttribute(c).split(v),p=/([.?@])?(.*)/.exec(d);l.push({type:1,index:o,name:p[2],strings:h,ctor:p[1]==="."?G:p[1]==="?"?F:p[1]==="@"?Z:I}),s.removeAttribute(c)}else c.startsWith(v)&&(l.push({type:6,index:o}),s.removeAttribute(c));if(Ie.test(s.tagName)){let c=s.textContent.split(v),d=c.length-1;if(d>0){s.textContent=q?q.emptyScript:"";for(let h=0;h<d;h++)s.append(c[h],M()),w.nextNode(),l.push({type:2,index:++o});s.append(c[d],M())}}}else if(s.nodeType===8)if(s.data===ae)l.push({type:2,index:o});else{let c=-1;for(;(c=s.data.indexOf(v,c+1))!==-1;)l.push({type:7,index:o}),c+=v.length-1}o++}}static createElement(e,t){let n=E.createElement("template");return n.innerHTML=e,n}};function S(i,e,t=i,n){if(e===k)return e;let s=n!==void 0?t._$Co?.[n]:t._$Cl,o=B(e)?void 0:e._$litDirective$;return s?.constructor!==o&&(s?._$AO?.(!1),o===void 0?s=void 0:(s=new o(i),s._$AT(i,t,n)),n!==void 0?(t._$Co??=[])[n]=s:t._$Cl=s),s!==void 0&&(e=S(i,s._$AS(i,e.values),s,n)),e}var W=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:n}=this._$AD,s=(e?.creationScope??E).importNode(t,!0);w.currentNode=s;let o=w.nextNode(),r=0,a=0,l=n[0];for(;l!==void 0;){if(r===l.index){let _;l.type===2?_=new D(o,o.nextSibling,this,e):l.type===1?_=new l.ctor(o,l.name,l.strings,this,e):l.type===6&&(_=new J(o,this,e)),this._$AV.push(_),l=n[++a]}r!==l?.index&&(o=w.nextNode(),r++)}return w.currentNode=E,s}p(e){let t=0;for(let n of this._$AV)n!==void 0&&(n.strings!==void 0?(n._$AI(e,n,t),t+=n.strings.length-2):n._$AI(e[t])),t++}},D=class i{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,n,s){this.type=2,this._$AH=g,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=n,this.options=s,this._$Cv=s?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=S(this,e,t),B(e)?e===g||e==null||e===""?(this._$AH!==g&&this._$AR(),this._$AH=g):e!==this._$AH&&e!==k&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):Se(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==g&&B(this._$AH)?this._$AA.nextSibling.data=e:this.T(E.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:n}=e,s=typeof n=="number"?this._$AC(e):(n.el===void 0&&(n.el=O.createElement(Ce(n.h,n.h[0]),this.options)),n);if(this._$AH?._$AD===s)this._$AH.p(t);else{let o=new W(s,this),r=o.u(this.options);o.p(t),this.T(r),this._$AH=o}}_$AC(e){let t=Ee.get(e.strings);return t===void 0&&Ee.set(e.strings,t=new O(e)),t}k(e){le(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,n,s=0;for(let o of e)s===t.length?t.push(n=new i(this.O(M()),this.O(M()),this,this.options)):n=t[s],n._$AI(o),s++;s<t.length&&(this._$AR(n&&n._$AB.nextSibling,s),t.length=s)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let n=ye(e).nextSibling;ye(e).remove(),e=n}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},I=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,n,s,o){this.type=1,this._$AH=g,this._$AN=void 0,this.element=e,this.name=t,this._$AM=s,this.options=o,n.length>2||n[0]!==""||n[1]!==""?(this._$AH=Array(n.length-1).fill(new String),this.strings=n):this._$AH=g}_$AI(e,t=this,n,s){let o=this.strings,r=!1;if(o===void 0)e=S(this,e,t,0),r=!B(e)||e!==this._$AH&&e!==k,r&&(this._$AH=e);else{let a=e,l,_;for(e=o[0],l=0;l<o.length-1;l++)_=S(this,a[n+l],t,l),_===k&&(_=this._$AH[l]),r||=!B(_)||_!==this._$AH[l],_===g?e=g:e!==g&&(e+=(_??"")+o[l+1]),this._$AH[l]=_}r&&!s&&this.j(e)}j(e){e===g?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},G=class extends I{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===g?void 0:e}},F=class extends I{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==g)}},Z=class extends I{constructor(e,t,n,s,o){super(e,t,n,s,o),this.type=5}_$AI(e,t=this){if((e=S(this,e,t,0)??g)===k)return;let n=this._$AH,s=e===g&&n!==g||e.capture!==n.capture||e.once!==n.once||e.passive!==n.passive,o=e!==g&&(n===g||s);s&&this.element.removeEventListener(this.name,this,n),o&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},J=class{constructor(e,t,n){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=n}get _$AU(){return this._$AM._$AU}_$AI(e){S(this,e)}},De={M:re,P:v,A:ae,C:1,L:Te,R:W,D:Se,V:S,I:D,H:I,N:F,U:Z,B:G,F:J},ot=oe.litHtmlPolyfillSupport;ot?.(O,D),(oe.litHtmlVersions??=[]).push("3.3.3");var Pe=(i,e,t)=>{let n=t?.renderBefore??e,s=n._$litPart$;if(s===void 0){let o=t?.renderBefore??null;n._$litPart$=s=new D(e.insertBefore(M(),o),o,void 0,t??{})}return s._$AI(i),s};var de=globalThis,$=class extends y{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Pe(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return k}};$._$litElement$=!0,$.finalized=!0,de.litElementHydrateSupport?.({LitElement:$});var rt=de.litElementPolyfillSupport;rt?.({LitElement:$});(de.litElementVersions??=[]).push("4.2.2");var Ne={ATTRIBUTE:1,CHILD:2,PROPERTY:3,BOOLEAN_ATTRIBUTE:4,EVENT:5,ELEMENT:6},He=i=>(...e)=>({_$litDirective$:i,values:e}),Y=class{constructor(e){}get _$AU(){return this._$AM._$AU}_$AT(e,t,n){this._$Ct=e,this._$AM=t,this._$Ci=n}_$AS(e,t){return this.update(e,t)}update(e,t){return this.render(...t)}};var{I:at}=De,Le=i=>i;var Re=()=>document.createComment(""),P=(i,e,t)=>{let n=i._$AA.parentNode,s=e===void 0?i._$AB:e._$AA;if(t===void 0){let o=n.insertBefore(Re(),s),r=n.insertBefore(Re(),s);t=new at(o,r,i,i.options)}else{let o=t._$AB.nextSibling,r=t._$AM,a=r!==i;if(a){let l;t._$AQ?.(i),t._$AM=i,t._$AP!==void 0&&(l=i._$AU)!==r._$AU&&t._$AP(l)}if(o!==s||a){let l=t._$AA;for(;l!==o;){let _=Le(l).nextSibling;Le(n).insertBefore(l,s),l=_}}}return t},A=(i,e,t=i)=>(i._$AI(e,t),i),lt={},Me=(i,e=lt)=>i._$AH=e,Be=i=>i._$AH,Q=i=>{i._$AR(),i._$AA.remove()};var Oe=(i,e,t)=>{let n=new Map;for(let s=e;s<=t;s++)n.set(i[s],s);return n},ue=He(class extends Y{constructor(i){if(super(i),i.type!==Ne.CHILD)throw Error("repeat() can only be used in text expressions")}dt(i,e,t){let n;t===void 0?t=e:e!==void 0&&(n=e);let s=[],o=[],r=0;for(let a of i)s[r]=n?n(a,r):r,o[r]=t(a,r),r++;return{values:o,keys:s}}render(i,e,t){return this.dt(i,e,t).values}update(i,[e,t,n]){let s=Be(i),{values:o,keys:r}=this.dt(e,t,n);if(!Array.isArray(s))return this.ut=r,o;let a=this.ut??=[],l=[],_,u,c=0,d=s.length-1,h=0,p=o.length-1;for(;c<=d&&h<=p;)if(s[c]===null)c++;else if(s[d]===null)d--;else if(a[c]===r[h])l[h]=A(s[c],o[h]),c++,h++;else if(a[d]===r[p])l[p]=A(s[d],o[p]),d--,p--;else if(a[c]===r[p])l[p]=A(s[c],o[p]),P(i,l[p+1],s[c]),c++,p--;else if(a[d]===r[h])l[h]=A(s[d],o[h]),P(i,s[c],s[d]),d--,h++;else if(_===void 0&&(_=Oe(r,h,p),u=Oe(a,c,d)),_.has(a[c]))if(_.has(a[d])){let b=u.get(r[h]),T=b!==void 0?s[b]:null;if(T===null){let ge=P(i,s[c]);A(ge,o[h]),l[h]=ge}else l[h]=A(T,o[h]),P(i,s[c],T),s[b]=null;h++}else Q(s[d]),d--;else Q(s[c]),c++;for(;h<=p;){let b=P(i,l[p+1]);A(b,o[h]),l[h++]=b}for(;c<=d;){let b=s[c++];b!==null&&Q(b)}return this.ut=r,Me(i,l),k}});var je={card_name:"Hot-desk board",card_description:"Every desk phone: who is logged in, ringing and in-call state, and buttons to log in, log out, claim a ringing call or call back.",default_title:"Hot-desk board",no_desks:"No desk phones yet: add them under Settings → Devices & services → Hot-desk phone for Asterisk.",nobody:"Nobody logged in",logged_in_since:"{account} since {time}",ringing_for:"Ringing for {account}",in_call_with:"In call with {caller}",in_call:"In call",unknown_caller:"an unknown caller",log_out:"Log out",log_in_open:"Log in…",log_in_account:"Account to log in at {desk}",log_in_choose:"Choose an account",log_in:"Log in",cancel:"Cancel",claim_here:"Claim {account}'s call here",calls:"Calls",no_calls:"No call ringing.",call_rings:"{caller} → {account} ({extension}), ringing at {desks}",call_answered:"{caller} ↔ {account} ({extension}) at {desk}",last_missed:"{account} ({extension}) missed {caller}",call_back:"Call back",nowhere:"no desk",emergency_call:"Emergency call {number} from {desk} — {location} — logged in: {who}",emergency_unknown_phone:"an unknown phone",emergency_no_location:"location unknown",emergency_nobody:"nobody",emergency_tile:"Emergency call {number}",booked_until:"Booked by {account} until {time}",booked_from:"Booked by {account} from {start} to {end}",book_open:"Book this desk",book_account:"Account to book {desk} for",book_until:"Until",book_confirm:"Book",failed:"Failed: {error}",editor_title:"Title",editor_areas:"Only desks in these areas",editor_show_calls:"Show ringing calls and missed calls",editor_show_offline:"Show offline desks"},ct={card_name:"Hot-Desk-Übersicht",card_description:"Jedes Tischtelefon: wer angemeldet ist, ob es klingelt oder telefoniert, und Knöpfe zum Anmelden, Abmelden, Anruf heranholen oder Zurückrufen.",default_title:"Hot-Desk-Übersicht",no_desks:"Noch keine Tischtelefone: Füge sie unter Einstellungen → Geräte & Dienste → Hot-desk phone for Asterisk hinzu.",nobody:"Niemand angemeldet",logged_in_since:"{account} seit {time}",ringing_for:"Klingelt für {account}",in_call_with:"Im Gespräch mit {caller}",in_call:"Im Gespräch",unknown_caller:"unbekanntem Anrufer",log_out:"Abmelden",log_in_open:"Anmelden…",log_in_account:"Konto, das du an {desk} anmeldest",log_in_choose:"Wähle ein Konto",log_in:"Anmelden",cancel:"Abbrechen",claim_here:"Anruf für {account} hierher holen",calls:"Anrufe",no_calls:"Kein Anruf klingelt.",call_rings:"{caller} → {account} ({extension}), klingelt an {desks}",call_answered:"{caller} ↔ {account} ({extension}) an {desk}",last_missed:"{account} ({extension}) hat {caller} verpasst",call_back:"Zurückrufen",nowhere:"keinem Tisch",emergency_call:"Notruf {number} von {desk} — {location} — angemeldet: {who}",emergency_unknown_phone:"einem unbekannten Telefon",emergency_no_location:"Standort unbekannt",emergency_nobody:"niemand",emergency_tile:"Notruf {number}",booked_until:"Gebucht von {account} bis {time}",booked_from:"Gebucht von {account}, {start} bis {end}",book_open:"Diesen Tisch buchen",book_account:"Konto, für das du {desk} buchst",book_until:"Bis",book_confirm:"Buchen",failed:"Fehlgeschlagen: {error}",editor_title:"Titel",editor_areas:"Nur Tische in diesen Bereichen",editor_show_calls:"Klingelnde und verpasste Anrufe zeigen",editor_show_offline:"Nicht erreichbare Tische zeigen"},Ue={card_name:"工位看板",card_description:"每部工位电话：谁已登录、振铃和通话状态，以及登录、注销、在此接听振铃来电和回拨的按钮。",default_title:"工位看板",no_desks:"尚无工位电话：请在 设置 → 设备与服务 → Hot-desk phone for Asterisk 中添加。",nobody:"无人登录",logged_in_since:"{account}，自 {time}",ringing_for:"正在为 {account} 振铃",in_call_with:"正在与 {caller} 通话",in_call:"通话中",unknown_caller:"未知来电者",log_out:"注销",log_in_open:"登录…",log_in_account:"要在 {desk} 登录的账户",log_in_choose:"选择账户",log_in:"登录",cancel:"取消",claim_here:"在此接听 {account} 的来电",calls:"来电",no_calls:"没有振铃的来电。",call_rings:"{caller} → {account}（{extension}），正在 {desks} 振铃",call_answered:"{caller} ↔ {account}（{extension}），在 {desk}",last_missed:"{account}（{extension}）未接 {caller} 的来电",call_back:"回拨",nowhere:"无工位",emergency_call:"紧急呼叫 {number}，来自 {desk} — {location} — 已登录：{who}",emergency_unknown_phone:"未知电话",emergency_no_location:"位置未知",emergency_nobody:"无人",emergency_tile:"紧急呼叫 {number}",booked_until:"{account} 已预订，至 {time}",booked_from:"{account} 已预订，{start} 至 {end}",book_open:"预订此工位",book_account:"为其预订 {desk} 的账户",book_until:"截止时间",book_confirm:"预订",failed:"失败：{error}",editor_title:"标题",editor_areas:"仅显示这些区域的工位",editor_show_calls:"显示振铃和未接来电",editor_show_offline:"显示离线工位"},ze={en:je,de:ct,"zh-Hans":Ue,zh:Ue};function N(i,e,t={}){return(ze[i??"en"]??ze[(i??"en").split("-")[0]]??je)[e].replace(/\{(\w+)\}/g,(s,o)=>t[o]??"")}var dt=[{name:"title",selector:{text:{}}},{name:"areas",selector:{area:{multiple:!0}}},{name:"show_calls",selector:{boolean:{}}},{name:"show_offline",selector:{boolean:{}}}],ut={title:"editor_title",areas:"editor_areas",show_calls:"editor_show_calls",show_offline:"editor_show_offline"},X=class extends ${constructor(){super(...arguments);this._label=t=>N(this.hass?.locale?.language??this.hass?.language,ut[t.name]??"editor_title")}setConfig(t){this._config=t}_changed(t){t.stopPropagation();let n={...t.detail.value};for(let s of["title","areas"]){let o=n[s];(o===""||Array.isArray(o)&&o.length===0)&&delete n[s]}this._config=n,this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:n},bubbles:!0,composed:!0}))}render(){return!this.hass||!this._config?g:m`<ha-form
      .hass=${this.hass}
      .data=${{show_calls:!0,show_offline:!0,...this._config}}
      .schema=${dt}
      .computeLabel=${this._label}
      @value-changed=${this._changed}
    ></ha-form>`}};X.properties={hass:{attribute:!1},_config:{state:!0}};customElements.get("hotdesk-board-editor")||customElements.define("hotdesk-board-editor",X);var C="hotdesk_phone";function f(i){return typeof i=="string"&&i!==""?i:null}function Ke(i,e){let n=i.devices[e]?.identifiers?.find(([s])=>s===C);return n?n[1]:e}function Ve(i,e){let t=i.devices[e];return t?.name_by_user||t?.name||e}var qe=new Intl.Collator(void 0,{numeric:!0,sensitivity:"base"});function he(i){let e=new Map;for(let o of Object.values(i.entities??{})){if(o.platform!==C||!o.device_id||!o.translation_key)continue;let r=e.get(o.device_id);r||(r=new Map,e.set(o.device_id,r)),r.set(o.translation_key,o.entity_id)}let t=[],n=[],s=[];for(let[o,r]of e){let a=i.states[r.get("emergency_call")??""];a?.state==="on"&&s.push(..._t(a));let l=r.get("desk_call_state"),_=r.get("account_call_state");if(l&&i.states[l]){let u=i.states[l],c=i.states[r.get("logged_in_account")??""],d=c?.attributes??{},h=i.devices[o],p=i.entities[l]?.area_id??h?.area_id??null,b=f(d.since),T=c&&f(d.account_id)?c.state:null;t.push({deviceId:o,deskId:Ke(i,o),name:Ve(i,o),directoryName:h?.name??o,areaId:p,area:p?i.areas[p]?.name??null:null,state:u.state,stateEntity:u,loggedIn:T,loggedInAccountId:T?f(d.account_id):null,loggedInExtension:f(d.extension),since:b?new Date(b):null,logoutEntityId:r.get("logout")??null,booking:ht(d),calendar:f(d.booking_calendar),bookable:gt(i,f(d.booking_calendar))})}else if(_&&i.states[_]){let u=i.states[_],c=u.attributes,d="caller_id_number"in c?u:i.states[r.get("caller")??""],h=u.state==="ringing"||u.state==="in_call",p=r.get("missed_calls")??null;n.push({deviceId:o,accountId:Ke(i,o),name:Ve(i,o),extension:f(c.extension),state:u.state,callId:f(c.call_id),caller:h&&d?pt(d):null,callerNumber:h?f(d?.attributes.caller_id_number):null,ringingDeskIds:Array.isArray(c.ringing_desk_ids)?c.ringing_desk_ids:[],answeredDesk:f(c.answered_desk),claimedDesk:f(c.claimed_desk),missedEntityId:p,missedCount:p?i.states[p]?.state??null:null,people:Array.isArray(c.people)?c.people.filter(b=>typeof b=="string"):null})}}return t.sort((o,r)=>qe.compare(o.name,r.name)),n.sort((o,r)=>qe.compare(o.name,r.name)),{desks:t,accounts:n,emergencies:s}}function ht(i){let e=f(i.booked_by),t=f(i.booked_from),n=f(i.booked_until);if(!e||!t||!n)return null;let s=new Date(t),o=new Date(n);return Number.isNaN(s.getTime())||Number.isNaN(o.getTime())?null:{account:e,accountId:f(i.booked_account_id),extension:f(i.booked_extension),start:s,end:o}}function gt(i,e){let t=e?i.states[e]:void 0;return!t||t.state==="unavailable"?!1:(Number(t.attributes.supported_features??0)&1)!==0}function We(i,e){return e.bookable&&e.state!=="unavailable"&&i.accounts.length>0}function _t(i){let e=i.attributes.calls;if(!Array.isArray(e))return[];let t=[];for(let n of e){if(!n||typeof n!="object")continue;let s=n,o=f(s.started)??f(s.time),r=o?new Date(o):null;t.push({deskId:f(s.desk_id),desk:f(s.desk),number:f(s.number)??(typeof s.number=="number"?String(s.number):"?"),elin:f(s.elin),location:f(s.location),loggedIn:f(s.logged_in_account),loggedInExtension:f(s.logged_in_extension),started:r&&!Number.isNaN(r.getTime())?r:null})}return t}function pt(i){let e=f(i.attributes.caller_id_name),t=f(i.attributes.caller_id_number);return e&&t?`${e} <${t}>`:e??t}function Ge(i,e){for(let t of i.accounts)if(t.state==="ringing"&&t.ringingDeskIds.includes(e.deskId))return t;for(let t of i.accounts)if(t.state==="in_call"&&(t.answeredDesk===e.directoryName||t.claimedDesk===e.directoryName))return t;return null}function mt(i){let e=i.user;if(!e||e.is_admin)return()=>!0;let t=null;return n=>{if(n.people===null)return!0;t===null&&(t=new Set(Object.values(i.states).filter(o=>o.entity_id.startsWith("person.")&&o.attributes.user_id===e.id).map(o=>o.entity_id)));let s=t;return n.people.some(o=>s.has(o))}}function Fe(i,e){let t=mt(i);return{accounts:e.accounts.filter(n=>n.extension!==null&&t(n)),byId:new Map(e.accounts.map(n=>[n.accountId,n])),may:t}}function Ze(i,e){if(e.state==="unavailable")return!1;let t=e.loggedInAccountId?i.byId.get(e.loggedInAccountId):void 0;return t&&!i.may(t)?!1:i.accounts.length>1||i.accounts.length===1&&i.accounts[0].accountId!==e.loggedInAccountId}var z="hotdesk-board",U=class extends ${constructor(){super(...arguments);this._missed=new Map;this._missedSeen=new Map;this._message="";this._busy="";this._picking="";this._booking=""}static getConfigElement(){return document.createElement(`${z}-editor`)}static getStubConfig(){return{type:`custom:${z}`,show_calls:!0,show_offline:!0}}setConfig(t){if(!t||typeof t!="object")throw new Error("Invalid configuration");this._config={show_calls:!0,show_offline:!0,...t}}getCardSize(){return 4}getGridOptions(){return{columns:12,min_columns:6,rows:4}}_t(t,n){return N(this.hass?.locale?.language??this.hass?.language,t,n)}shouldUpdate(t){if(!t.has("hass")||t.size>1)return!0;let n=t.get("hass"),s=this.hass;if(!n||!s||n.entities!==s.entities||n.devices!==s.devices||n.areas!==s.areas||n.language!==s.language||n.localize!==s.localize||n.formatEntityState!==s.formatEntityState)return!0;for(let o of Object.values(s.entities))if(o.platform===C&&n.states[o.entity_id]!==s.states[o.entity_id])return!0;return!1}willUpdate(){let t=this.hass?.language;t&&this._translated!==t&&this.hass?.loadBackendTranslation&&(this._translated=t,this.hass.loadBackendTranslation("entity",C))}updated(t){if(t.has("_picking")&&this._picking&&this.renderRoot.querySelector("select.login-account")?.focus(),t.has("_booking")&&this._booking&&this.renderRoot.querySelector("select.book-account")?.focus(),!(!this.hass||!this._config?.show_calls))for(let n of he(this.hass).accounts)this._missedSeen.get(n.accountId)!==n.missedCount&&(this._missedSeen.set(n.accountId,n.missedCount),n.extension&&n.missedCount&&n.missedCount!=="0"&&this._loadMissed(n))}async _loadMissed(t){try{let o=((await this.hass.callWS({type:"call_service",domain:C,service:"call_log",service_data:{extension:t.extension},return_response:!0})).response?.calls??[]).find(a=>a.outcome==="missed"&&a.caller_id_number),r=new Map(this._missed);if(o){let a=o.caller_id_number,l=o.caller_id_name;r.set(t.accountId,{number:a,caller:l?`${l} <${a}>`:a})}else r.delete(t.accountId);this._missed=r}catch{}}async _act(t,n,s){this._busy=t,this._message="";try{return await this.hass.callService(C,n,s),!0}catch(o){let r=o instanceof Error?o.message:String(o?.message??o);return this._message=this._t("failed",{error:r}),!1}finally{this._busy=""}}_stateLabel(t){return this.hass.formatEntityState?.(t.stateEntity)??t.state}_time(t){let n=this.hass?.locale?.language??this.hass?.language??"en";try{return t.toLocaleTimeString(n,{hour:"2-digit",minute:"2-digit",timeZone:this.hass?.config.time_zone})}catch{return t.toLocaleTimeString()}}_deskNames(t,n){let s=n.map(o=>t.desks.find(r=>r.deskId===o)?.name??o);return s.length?s.join(", "):this._t("nowhere")}render(){if(!this.hass||!this._config)return g;let t=he(this.hass),n=this._config.areas?.length?new Set(this._config.areas):null,s=t.desks.filter(a=>(!n||a.areaId!==null&&n.has(a.areaId))&&(this._config.show_offline!==!1||a.state!=="offline")),o=t.accounts.filter(a=>a.state==="ringing"),r=Fe(this.hass,t);return m`
      <ha-card .header=${this._config.title??this._t("default_title")}>
        <div class="content">
          ${t.emergencies.length?this._renderEmergencies(t):g}
          ${s.length?m`<div class="grid">${s.map(a=>this._renderDesk(t,a,o,r))}</div>`:m`<p class="empty">${this._t("no_desks")}</p>`}
          ${this._config.show_calls?this._renderCalls(t):g}
          ${this._message?m`<p class="message" role="alert">${this._message}</p>`:g}
        </div>
      </ha-card>
    `}_renderEmergencies(t){return m`<div class="emergency" role="alert">
      ${t.emergencies.map(n=>m`<div class="emergency-call" data-desk=${n.deskId??""}>
          <ha-icon icon="mdi:alarm-light" aria-hidden="true"></ha-icon>
          <span>${this._emergencyLine(t,n)}</span>
        </div>`)}
    </div>`}_emergencyLine(t,n){let s=(n.deskId?t.desks.find(o=>o.deskId===n.deskId)?.name:void 0)??n.desk??this._t("emergency_unknown_phone");return this._t("emergency_call",{number:n.number,desk:s,location:n.location??this._t("emergency_no_location"),who:n.loggedIn??this._t("emergency_nobody")})}_renderDesk(t,n,s,o){let r=t.emergencies.find(u=>u.deskId!==null&&u.deskId===n.deskId),a=Ge(t,n),l=g;a&&n.state==="ringing"?l=m`<div class="call">${this._t("ringing_for",{account:a.name})}${a.caller?m` · <span class="caller">${a.caller}</span>`:g}</div>`:n.state==="in_call"&&(l=m`<div class="call">${a?this._t("in_call_with",{caller:a.caller??this._t("unknown_caller")}):this._t("in_call")}</div>`);let _=s.filter(u=>u.extension&&!u.ringingDeskIds.includes(n.deskId));return m`
      <div
        class="tile"
        data-desk=${n.deskId}
        data-state=${n.state}
        ?data-emergency=${r!==void 0}
      >
        <div class="top">
          <span class="name">${n.name}</span>
          <span class="state ${n.state}">${this._stateLabel(n)}</span>
        </div>
        ${n.area?m`<div class="area">${n.area}</div>`:g}
        <div class="login">
          ${n.loggedIn?this._t("logged_in_since",{account:n.loggedInExtension?`${n.loggedIn} (${n.loggedInExtension})`:n.loggedIn,time:n.since?this._time(n.since):"?"}):m`<span class="muted">${this._t("nobody")}</span>`}
        </div>
        ${n.booking?m`<div class="booking">${this._bookingLine(n)}</div>`:g}
        ${r?m`<div class="emergency-mark">${this._t("emergency_tile",{number:r.number})}</div>`:g}
        ${l}
        <div class="actions">
          ${n.loggedIn?m`<button
                class="logout"
                ?disabled=${this._busy===`logout-${n.deskId}`}
                @click=${()=>this._act(`logout-${n.deskId}`,"logout",{desk:n.deviceId})}
              >
                ${this._t("log_out")}
              </button>`:g}
          ${_.map(u=>m`<button
              class="claim"
              data-account=${u.accountId}
              ?disabled=${this._busy===`claim-${n.deskId}`}
              @click=${()=>this._act(`claim-${n.deskId}`,"claim_call",{extension:u.extension,desk:n.deviceId})}
            >
              ${this._t("claim_here",{account:u.name})}
            </button>`)}
          ${this._picking!==n.deskId&&Ze(o,n)?m`<button class="login-open" @click=${()=>this._picking=n.deskId}>
                ${this._t("log_in_open")}
              </button>`:g}
          ${this._booking!==n.deskId&&We(o,n)?m`<button class="book-open" @click=${()=>this._booking=n.deskId}>
                ${this._t("book_open")}
              </button>`:g}
        </div>
        ${this._picking===n.deskId?this._renderLoginPicker(n,o):g}
        ${this._booking===n.deskId?this._renderBookForm(n,o):g}
      </div>
    `}_renderLoginPicker(t,n){let s=n.accounts.filter(a=>a.accountId!==t.loggedInAccountId),o=this._busy===`login-${t.deskId}`,r=async()=>{let l=this.renderRoot.querySelector(`.tile[data-desk="${CSS.escape(t.deskId)}"] select.login-account`)?.value;l&&await this._act(`login-${t.deskId}`,"login",{extension:l,desk:t.deviceId})&&this._picking===t.deskId&&(this._picking="")};return m`<div class="login-picker">
      <select
        class="login-account"
        aria-label=${this._t("log_in_account",{desk:t.name})}
        ?disabled=${o}
        @keydown=${a=>{a.key==="Escape"&&(this._picking="")}}
      >
        <option value="" selected disabled>${this._t("log_in_choose")}</option>
        ${ue(s,a=>a.accountId,a=>m`<option value=${a.extension} data-account=${a.accountId}>${a.name} (${a.extension})</option>`)}
      </select>
      <button class="login-confirm" ?disabled=${o} @click=${r}>${this._t("log_in")}</button>
      <button class="login-cancel" ?disabled=${o} @click=${()=>this._picking=""}>
        ${this._t("cancel")}
      </button>
    </div>`}_bookingLine(t){let n=t.booking,s=n.extension?`${n.account} (${n.extension})`:n.account;return n.start.getTime()>Date.now()?this._t("booked_from",{account:s,start:this._time(n.start),end:this._time(n.end)}):this._t("booked_until",{account:s,time:this._time(n.end)})}_nowInHa(){let t=new Intl.DateTimeFormat("en-GB",{hour:"2-digit",minute:"2-digit",hourCycle:"h23",timeZone:this.hass?.config.time_zone}).formatToParts(new Date),n=s=>Number(t.find(o=>o.type===s)?.value??0);return{hour:n("hour"),minute:n("minute")}}_renderBookForm(t,n){let s=this._busy===`book-${t.deskId}`,{hour:o,minute:r}=this._nowInHa(),a=o+(r>=30?2:1),l=a>=24?"23:59":`${String(a).padStart(2,"0")}:00`,_=t.booking===null?void 0:n.byId.get(t.booking.accountId??""),u=n.accounts.length===1?n.accounts[0]:_,c=async()=>{let d=this.renderRoot.querySelector(`.tile[data-desk="${CSS.escape(t.deskId)}"] .book-form`),h=d?.querySelector("select.book-account")?.value,p=d?.querySelector("input.book-until")?.value;!h||!p||await this._act(`book-${t.deskId}`,"book_desk",{extension:h,desk:t.deviceId,end:p})&&this._booking===t.deskId&&(this._booking="")};return m`<div
      class="book-form"
      @keydown=${d=>{d.key==="Escape"&&(this._booking="")}}
    >
      <select class="book-account" aria-label=${this._t("book_account",{desk:t.name})} ?disabled=${s}>
        <option value="" ?selected=${!u} disabled>${this._t("log_in_choose")}</option>
        ${ue(n.accounts,d=>d.accountId,d=>m`<option
            value=${d.extension}
            data-account=${d.accountId}
            ?selected=${u?.accountId===d.accountId}
          >
            ${d.name} (${d.extension})
          </option>`)}
      </select>
      <label class="book-until-label">
        ${this._t("book_until")}
        <input class="book-until" type="time" required .value=${l} ?disabled=${s} />
      </label>
      <button class="book-confirm" ?disabled=${s} @click=${c}>${this._t("book_confirm")}</button>
      <button class="book-cancel" ?disabled=${s} @click=${()=>this._booking=""}>
        ${this._t("cancel")}
      </button>
    </div>`}_renderCalls(t){let n=t.accounts.filter(o=>o.state==="ringing"||o.state==="in_call"),s=t.accounts.filter(o=>this._missed.has(o.accountId)&&o.extension);return m`
      <div class="calls">
        <h3>${this._t("calls")}</h3>
        ${n.length?g:m`<p class="muted">${this._t("no_calls")}</p>`}
        <ul>
          ${n.map(o=>m`<li class="active-call ${o.state}" data-account=${o.accountId}>
              ${o.state==="ringing"?this._t("call_rings",{caller:o.caller??this._t("unknown_caller"),account:o.name,extension:o.extension??"",desks:this._deskNames(t,o.ringingDeskIds)}):this._t("call_answered",{caller:o.caller??this._t("unknown_caller"),account:o.name,extension:o.extension??"",desk:o.answeredDesk??o.claimedDesk??this._t("nowhere")})}
            </li>`)}
          ${s.map(o=>{let r=this._missed.get(o.accountId);return m`<li class="missed" data-account=${o.accountId}>
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
    `}};U.properties={hass:{attribute:!1},_config:{state:!0},_missed:{state:!0},_message:{state:!0},_busy:{state:!0},_picking:{state:!0},_booking:{state:!0}},U.styles=te`
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
    button.login-confirm,
    button.book-confirm {
      background: var(--primary-color, #03a9f4);
      color: var(--text-primary-color, #fff);
    }
    .booking {
      font-size: 0.9em;
      color: var(--primary-color, #03a9f4);
    }
    .book-form,
    .login-picker {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      align-items: center;
    }
    .book-until-label {
      display: flex;
      gap: 4px;
      align-items: center;
      font-size: 0.85em;
    }
    input.book-until {
      font: inherit;
      padding: 2px 4px;
      border-radius: 6px;
      border: 1px solid var(--divider-color, #ccc);
      color: var(--primary-text-color, #000);
      background: var(--card-background-color, #fff);
    }
    select.book-account,
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
  `;customElements.get(z)||(customElements.define(z,U),window.customCards=window.customCards??[],window.customCards.push({type:z,name:N(navigator.language,"card_name"),description:N(navigator.language,"card_description"),preview:!0,documentationURL:"https://github.com/hotdesk-phone/hotdesk_phone#the-hot-desk-board-card"}));export{z as CARD_TYPE,U as HotdeskBoard};
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
