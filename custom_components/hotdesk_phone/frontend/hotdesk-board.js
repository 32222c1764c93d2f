// hotdesk-board.js: built from frontend/src by scripts/build-card; do not edit.
var O=globalThis,L=O.ShadowRoot&&(O.ShadyCSS===void 0||O.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,K=Symbol(),nt=new WeakMap,I=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==K)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(L&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=nt.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&nt.set(e,t))}return t}toString(){return this.cssText}},rt=r=>new I(typeof r=="string"?r:r+"",void 0,K),V=(r,...t)=>{let e=r.length===1?r[0]:t.reduce((s,i,n)=>s+(o=>{if(o._$cssResult$===!0)return o.cssText;if(typeof o=="number")return o;throw Error("Value passed to 'css' function must be a 'css' function result: "+o+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+r[n+1],r[0]);return new I(e,r,K)},ot=(r,t)=>{if(L)r.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),i=O.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=e.cssText,r.appendChild(s)}},W=L?r=>r:r=>r instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return rt(e)})(r):r;var{is:It,defineProperty:Dt,getOwnPropertyDescriptor:Pt,getOwnPropertyNames:Nt,getOwnPropertySymbols:Ht,getPrototypeOf:Mt}=Object,z=globalThis,at=z.trustedTypes,Rt=at?at.emptyScript:"",Tt=z.reactiveElementPolyfillSupport,D=(r,t)=>r,q={toAttribute(r,t){switch(t){case Boolean:r=r?Rt:null;break;case Object:case Array:r=r==null?r:JSON.stringify(r)}return r},fromAttribute(r,t){let e=r;switch(t){case Boolean:e=r!==null;break;case Number:e=r===null?null:Number(r);break;case Object:case Array:try{e=JSON.parse(r)}catch{e=null}}return e}},ct=(r,t)=>!It(r,t),lt={attribute:!0,type:String,converter:q,reflect:!1,useDefault:!1,hasChanged:ct};Symbol.metadata??=Symbol("metadata"),z.litPropertyMetadata??=new WeakMap;var $=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=lt){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(t,s,e);i!==void 0&&Dt(this.prototype,t,i)}}static getPropertyDescriptor(t,e,s){let{get:i,set:n}=Pt(this.prototype,t)??{get(){return this[e]},set(o){this[e]=o}};return{get:i,set(o){let l=i?.call(this);n?.call(this,o),this.requestUpdate(t,l,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??lt}static _$Ei(){if(this.hasOwnProperty(D("elementProperties")))return;let t=Mt(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(D("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(D("properties"))){let e=this.properties,s=[...Nt(e),...Ht(e)];for(let i of s)this.createProperty(i,e[i])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,i]of e)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let i=this._$Eu(e,s);i!==void 0&&this._$Eh.set(i,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let i of s)e.unshift(W(i))}else t!==void 0&&e.push(W(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return ot(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),i=this.constructor._$Eu(t,s);if(i!==void 0&&s.reflect===!0){let n=(s.converter?.toAttribute!==void 0?s.converter:q).toAttribute(e,s.type);this._$Em=t,n==null?this.removeAttribute(i):this.setAttribute(i,n),this._$Em=null}}_$AK(t,e){let s=this.constructor,i=s._$Eh.get(t);if(i!==void 0&&this._$Em!==i){let n=s.getPropertyOptions(i),o=typeof n.converter=="function"?{fromAttribute:n.converter}:n.converter?.fromAttribute!==void 0?n.converter:q;this._$Em=i;let l=o.fromAttribute(e,n.type);this[i]=l??this._$Ej?.get(i)??l,this._$Em=null}}requestUpdate(t,e,s,i=!1,n){if(t!==void 0){let o=this.constructor;if(i===!1&&(n=this[t]),s??=o.getPropertyOptions(t),!((s.hasChanged??ct)(n,e)||s.useDefault&&s.reflect&&n===this._$Ej?.get(t)&&!this.hasAttribute(o._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:i,wrapped:n},o){s&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,o??e??this[t]),n!==!0||o!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),i===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,n]of this._$Ep)this[i]=n;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,n]of s){let{wrapped:o}=n,l=this[i];o!==!0||this._$AL.has(i)||l===void 0||this.C(i,void 0,n,l)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};$.elementStyles=[],$.shadowRootOptions={mode:"open"},$[D("elementProperties")]=new Map,$[D("finalized")]=new Map,Tt?.({ReactiveElement:$}),(z.reactiveElementVersions??=[]).push("2.1.2");var X=globalThis,dt=r=>r,B=X.trustedTypes,ht=B?B.createPolicy("lit-html",{createHTML:r=>r}):void 0,ft="$lit$",y=`lit$${Math.random().toFixed(9).slice(2)}$`,$t="?"+y,Ut=`<${$t}>`,A=document,N=()=>A.createComment(""),H=r=>r===null||typeof r!="object"&&typeof r!="function",tt=Array.isArray,Ot=r=>tt(r)||typeof r?.[Symbol.iterator]=="function",G=`[ 	
\f\r]`,P=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,ut=/-->/g,pt=/>/g,v=RegExp(`>|${G}(?:([^\\s"'>=/]+)(${G}*=${G}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),gt=/'/g,_t=/"/g,yt=/^(?:script|style|textarea|title)$/i,et=r=>(t,...e)=>({_$litType$:r,strings:t,values:e}),p=et(1),Jt=et(2),Yt=et(3),w=Symbol.for("lit-noChange"),h=Symbol.for("lit-nothing"),mt=new WeakMap,b=A.createTreeWalker(A,129);function vt(r,t){if(!tt(r)||!r.hasOwnProperty("raw"))throw Error("invalid template strings array");return ht!==void 0?ht.createHTML(t):t}var Lt=(r,t)=>{let e=r.length-1,s=[],i,n=t===2?"<svg>":t===3?"<math>":"",o=P;for(let l=0;l<e;l++){let a=r[l],c,u,d=-1,g=0;for(;g<a.length&&(o.lastIndex=g,u=o.exec(a),u!==null);)g=o.lastIndex,o===P?u[1]==="!--"?o=ut:u[1]!==void 0?o=pt:u[2]!==void 0?(yt.test(u[2])&&(i=RegExp("</"+u[2],"g")),o=v):u[3]!==void 0&&(o=v):o===v?u[0]===">"?(o=i??P,d=-1):u[1]===void 0?d=-2:(d=o.lastIndex-u[2].length,c=u[1],o=u[3]===void 0?v:u[3]==='"'?_t:gt):o===_t||o===gt?o=v:o===ut||o===pt?o=P:(o=v,i=void 0);let _=o===v&&r[l+1].startsWith("/>")?" ":"";n+=o===P?a+Ut:d>=0?(s.push(c),a.slice(0,d)+ft+a.slice(d)+y+_):a+y+(d===-2?l:_)}return[vt(r,n+(r[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},M=class r{constructor({strings:t,_$litType$:e},s){let i;this.parts=[];let n=0,o=0,l=t.length-1,a=this.parts,[c,u]=Lt(t,e);if(this.el=r.createElement(c,s),b.currentNode=this.el.content,e===2||e===3){let d=this.el.content.firstChild;d.replaceWith(...d.childNodes)}for(;(i=b.nextNode())!==null&&a.length<l;){if(i.nodeType===1){if(i.hasAttributes())for(let d of i.getAttributeNames())if(d.endsWith(ft)){let g=u[o++],_=i.getAttribute(d).split(y),S=/([.?@])?(.*)/.exec(g);a.push({type:1,index:n,name:S[2],strings:_,ctor:S[1]==="."?Z:S[1]==="?"?J:S[1]==="@"?Y:k}),i.removeAttribute(d)}else d.startsWith(y)&&(a.push({type:6,index:n}),i.removeAttribute(d));if(yt.test(i.tagName)){let d=i.textContent.split(y),g=d.length-1;if(g>0){i.textContent=B?B.emptyScript:"";for(let _=0;_<g;_++)i.append(d[_],N()),b.nextNode(),a.push({type:2,index:++n});i.append(d[g],N())}}}else if(i.nodeType===8)if(i.data===$t)a.push({type:2,index:n});else{let d=-1;for(;(d=i.data.indexOf(y,d+1))!==-1;)a.push({type:7,index:n}),d+=y.length-1}n++}}static createElement(t,e){let s=A.createElement("template");return s.innerHTML=t,s}};function E(r,t,e=r,s){if(t===w)return t;let i=s!==void 0?e._$Co?.[s]:e._$Cl,n=H(t)?void 0:t._$litDirective$;return i?.constructor!==n&&(i?._$AO?.(!1),n===void 0?i=void 0:(i=new n(r),i._$AT(r,e,s)),s!==void 0?(e._$Co??=[])[s]=i:e._$Cl=i),i!==void 0&&(t=E(r,i._$AS(r,t.values),i,s)),t}var F=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,i=(t?.creationScope??A).importNode(e,!0);b.currentNode=i;let n=b.nextNode(),o=0,l=0,a=s[0];for(;a!==void 0;){if(o===a.index){let c;a.type===2?c=new R(n,n.nextSibling,this,t):a.type===1?c=new a.ctor(n,a.name,a.strings,this,t):a.type===6&&(c=new Q(n,this,t)),this._$AV.push(c),a=s[++l]}o!==a?.index&&(n=b.nextNode(),o++)}return b.currentNode=A,i}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},R=class r{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,i){this.type=2,this._$AH=h,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=E(this,t,e),H(t)?t===h||t==null||t===""?(this._$AH!==h&&this._$AR(),this._$AH=h):t!==this._$AH&&t!==w&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):Ot(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==h&&H(this._$AH)?this._$AA.nextSibling.data=t:this.T(A.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,i=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=M.createElement(vt(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(e);else{let n=new F(i,this),o=n.u(this.options);n.p(e),this.T(o),this._$AH=n}}_$AC(t){let e=mt.get(t.strings);return e===void 0&&mt.set(t.strings,e=new M(t)),e}k(t){tt(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,i=0;for(let n of t)i===e.length?e.push(s=new r(this.O(N()),this.O(N()),this,this.options)):s=e[i],s._$AI(n),i++;i<e.length&&(this._$AR(s&&s._$AB.nextSibling,i),e.length=i)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=dt(t).nextSibling;dt(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},k=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,i,n){this.type=1,this._$AH=h,this._$AN=void 0,this.element=t,this.name=e,this._$AM=i,this.options=n,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=h}_$AI(t,e=this,s,i){let n=this.strings,o=!1;if(n===void 0)t=E(this,t,e,0),o=!H(t)||t!==this._$AH&&t!==w,o&&(this._$AH=t);else{let l=t,a,c;for(t=n[0],a=0;a<n.length-1;a++)c=E(this,l[s+a],e,a),c===w&&(c=this._$AH[a]),o||=!H(c)||c!==this._$AH[a],c===h?t=h:t!==h&&(t+=(c??"")+n[a+1]),this._$AH[a]=c}o&&!i&&this.j(t)}j(t){t===h?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},Z=class extends k{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===h?void 0:t}},J=class extends k{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==h)}},Y=class extends k{constructor(t,e,s,i,n){super(t,e,s,i,n),this.type=5}_$AI(t,e=this){if((t=E(this,t,e,0)??h)===w)return;let s=this._$AH,i=t===h&&s!==h||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,n=t!==h&&(s===h||i);i&&this.element.removeEventListener(this.name,this,s),n&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},Q=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){E(this,t)}};var zt=X.litHtmlPolyfillSupport;zt?.(M,R),(X.litHtmlVersions??=[]).push("3.3.3");var bt=(r,t,e)=>{let s=e?.renderBefore??t,i=s._$litPart$;if(i===void 0){let n=e?.renderBefore??null;s._$litPart$=i=new R(t.insertBefore(N(),n),n,void 0,e??{})}return i._$AI(r),i};var st=globalThis,m=class extends ${constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=bt(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return w}};m._$litElement$=!0,m.finalized=!0,st.litElementHydrateSupport?.({LitElement:m});var Bt=st.litElementPolyfillSupport;Bt?.({LitElement:m});(st.litElementVersions??=[]).push("4.2.2");var xt={card_name:"Hot-desk board",card_description:"Every desk phone: who is logged in, ringing and in-call state, and buttons to log out, claim a ringing call or call back.",default_title:"Hot-desk board",no_desks:"No desk phones yet: add them under Settings → Devices & services → Hot-desk phone for Asterisk.",nobody:"Nobody logged in",logged_in_since:"{account} since {time}",ringing_for:"Ringing for {account}",in_call_with:"In call with {caller}",in_call:"In call",unknown_caller:"an unknown caller",log_out:"Log out",claim_here:"Claim {account}'s call here",calls:"Calls",no_calls:"No call ringing.",call_rings:"{caller} → {account} ({extension}), ringing at {desks}",call_answered:"{caller} ↔ {account} ({extension}) at {desk}",last_missed:"{account} ({extension}) missed {caller}",call_back:"Call back",nowhere:"no desk",failed:"Failed: {error}",editor_title:"Title",editor_areas:"Only desks in these areas",editor_show_calls:"Show ringing calls and missed calls",editor_show_offline:"Show offline desks"},jt={card_name:"Hot-Desk-Übersicht",card_description:"Jedes Tischtelefon: wer angemeldet ist, ob es klingelt oder telefoniert, und Knöpfe zum Abmelden, Anruf heranholen oder Zurückrufen.",default_title:"Hot-Desk-Übersicht",no_desks:"Noch keine Tischtelefone: Füge sie unter Einstellungen → Geräte & Dienste → Hot-desk phone for Asterisk hinzu.",nobody:"Niemand angemeldet",logged_in_since:"{account} seit {time}",ringing_for:"Klingelt für {account}",in_call_with:"Im Gespräch mit {caller}",in_call:"Im Gespräch",unknown_caller:"unbekanntem Anrufer",log_out:"Abmelden",claim_here:"Anruf für {account} hierher holen",calls:"Anrufe",no_calls:"Kein Anruf klingelt.",call_rings:"{caller} → {account} ({extension}), klingelt an {desks}",call_answered:"{caller} ↔ {account} ({extension}) an {desk}",last_missed:"{account} ({extension}) hat {caller} verpasst",call_back:"Zurückrufen",nowhere:"keinem Tisch",failed:"Fehlgeschlagen: {error}",editor_title:"Titel",editor_areas:"Nur Tische in diesen Bereichen",editor_show_calls:"Klingelnde und verpasste Anrufe zeigen",editor_show_offline:"Nicht erreichbare Tische zeigen"},At={card_name:"工位看板",card_description:"每部工位电话：谁已登录、振铃和通话状态，以及注销、在此接听振铃来电和回拨的按钮。",default_title:"工位看板",no_desks:"尚无工位电话：请在 设置 → 设备与服务 → Hot-desk phone for Asterisk 中添加。",nobody:"无人登录",logged_in_since:"{account}，自 {time}",ringing_for:"正在为 {account} 振铃",in_call_with:"正在与 {caller} 通话",in_call:"通话中",unknown_caller:"未知来电者",log_out:"注销",claim_here:"在此接听 {account} 的来电",calls:"来电",no_calls:"没有振铃的来电。",call_rings:"{caller} → {account}（{extension}），正在 {desks} 振铃",call_answered:"{caller} ↔ {account}（{extension}），在 {desk}",last_missed:"{account}（{extension}）未接 {caller} 的来电",call_back:"回拨",nowhere:"无工位",failed:"失败：{error}",editor_title:"标题",editor_areas:"仅显示这些区域的工位",editor_show_calls:"显示振铃和未接来电",editor_show_offline:"显示离线工位"},wt={en:xt,de:jt,"zh-Hans":At,zh:At};function C(r,t,e={}){return(wt[r??"en"]??wt[(r??"en").split("-")[0]]??xt)[t].replace(/\{(\w+)\}/g,(i,n)=>e[n]??"")}var Kt=[{name:"title",selector:{text:{}}},{name:"areas",selector:{area:{multiple:!0}}},{name:"show_calls",selector:{boolean:{}}},{name:"show_offline",selector:{boolean:{}}}],Vt={title:"editor_title",areas:"editor_areas",show_calls:"editor_show_calls",show_offline:"editor_show_offline"},j=class extends m{constructor(){super(...arguments);this._label=e=>C(this.hass?.locale?.language??this.hass?.language,Vt[e.name]??"editor_title")}setConfig(e){this._config=e}_changed(e){e.stopPropagation();let s={...e.detail.value};for(let i of["title","areas"]){let n=s[i];(n===""||Array.isArray(n)&&n.length===0)&&delete s[i]}this._config=s,this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:s},bubbles:!0,composed:!0}))}render(){return!this.hass||!this._config?h:p`<ha-form
      .hass=${this.hass}
      .data=${{show_calls:!0,show_offline:!0,...this._config}}
      .schema=${Kt}
      .computeLabel=${this._label}
      @value-changed=${this._changed}
    ></ha-form>`}};j.properties={hass:{attribute:!1},_config:{state:!0}};customElements.get("hotdesk-board-editor")||customElements.define("hotdesk-board-editor",j);var x="hotdesk_phone";function f(r){return typeof r=="string"&&r!==""?r:null}function St(r,t){let s=r.devices[t]?.identifiers?.find(([i])=>i===x);return s?s[1]:t}function Et(r,t){let e=r.devices[t];return e?.name_by_user||e?.name||t}var kt=new Intl.Collator(void 0,{numeric:!0,sensitivity:"base"});function it(r){let t=new Map;for(let i of Object.values(r.entities??{})){if(i.platform!==x||!i.device_id||!i.translation_key)continue;let n=t.get(i.device_id);n||(n=new Map,t.set(i.device_id,n)),n.set(i.translation_key,i.entity_id)}let e=[],s=[];for(let[i,n]of t){let o=n.get("desk_call_state"),l=n.get("account_call_state");if(o&&r.states[o]){let a=r.states[o],c=r.states[n.get("logged_in_account")??""],u=c?.attributes??{},d=r.devices[i],g=r.entities[o]?.area_id??d?.area_id??null,_=f(u.since),S=c&&f(u.account_id)?c.state:null;e.push({deviceId:i,deskId:St(r,i),name:Et(r,i),directoryName:d?.name??i,areaId:g,area:g?r.areas[g]?.name??null:null,state:a.state,stateEntity:a,loggedIn:S,loggedInExtension:f(u.extension),since:_?new Date(_):null,logoutEntityId:n.get("logout")??null})}else if(l&&r.states[l]){let a=r.states[l],c=a.attributes,u="caller_id_number"in c?a:r.states[n.get("caller")??""],d=a.state==="ringing"||a.state==="in_call",g=n.get("missed_calls")??null;s.push({deviceId:i,accountId:St(r,i),name:Et(r,i),extension:f(c.extension),state:a.state,callId:f(c.call_id),caller:d&&u?Wt(u):null,callerNumber:d?f(u?.attributes.caller_id_number):null,ringingDeskIds:Array.isArray(c.ringing_desk_ids)?c.ringing_desk_ids:[],answeredDesk:f(c.answered_desk),claimedDesk:f(c.claimed_desk),missedEntityId:g,missedCount:g?r.states[g]?.state??null:null})}}return e.sort((i,n)=>kt.compare(i.name,n.name)),s.sort((i,n)=>kt.compare(i.name,n.name)),{desks:e,accounts:s}}function Wt(r){let t=f(r.attributes.caller_id_name),e=f(r.attributes.caller_id_number);return t&&e?`${t} <${e}>`:t??e}function Ct(r,t){for(let e of r.accounts)if(e.state==="ringing"&&e.ringingDeskIds.includes(t.deskId))return e;for(let e of r.accounts)if(e.state==="in_call"&&(e.answeredDesk===t.directoryName||e.claimedDesk===t.directoryName))return e;return null}var U="hotdesk-board",T=class extends m{constructor(){super(...arguments);this._missed=new Map;this._missedSeen=new Map;this._message="";this._busy=""}static getConfigElement(){return document.createElement(`${U}-editor`)}static getStubConfig(){return{type:`custom:${U}`,show_calls:!0,show_offline:!0}}setConfig(e){if(!e||typeof e!="object")throw new Error("Invalid configuration");this._config={show_calls:!0,show_offline:!0,...e}}getCardSize(){return 4}getGridOptions(){return{columns:12,min_columns:6,rows:4}}_t(e,s){return C(this.hass?.locale?.language??this.hass?.language,e,s)}shouldUpdate(e){if(!e.has("hass")||e.size>1)return!0;let s=e.get("hass"),i=this.hass;if(!s||!i||s.entities!==i.entities||s.devices!==i.devices||s.areas!==i.areas||s.language!==i.language||s.localize!==i.localize||s.formatEntityState!==i.formatEntityState)return!0;for(let n of Object.values(i.entities))if(n.platform===x&&s.states[n.entity_id]!==i.states[n.entity_id])return!0;return!1}willUpdate(){let e=this.hass?.language;e&&this._translated!==e&&this.hass?.loadBackendTranslation&&(this._translated=e,this.hass.loadBackendTranslation("entity",x))}updated(){if(!(!this.hass||!this._config?.show_calls))for(let e of it(this.hass).accounts)this._missedSeen.get(e.accountId)!==e.missedCount&&(this._missedSeen.set(e.accountId,e.missedCount),e.extension&&e.missedCount&&e.missedCount!=="0"&&this._loadMissed(e))}async _loadMissed(e){try{let n=((await this.hass.callWS({type:"call_service",domain:x,service:"call_log",service_data:{extension:e.extension},return_response:!0})).response?.calls??[]).find(l=>l.outcome==="missed"&&l.caller_id_number),o=new Map(this._missed);if(n){let l=n.caller_id_number,a=n.caller_id_name;o.set(e.accountId,{number:l,caller:a?`${a} <${l}>`:l})}else o.delete(e.accountId);this._missed=o}catch{}}async _act(e,s,i){this._busy=e,this._message="";try{await this.hass.callService(x,s,i)}catch(n){let o=n instanceof Error?n.message:String(n?.message??n);this._message=this._t("failed",{error:o})}finally{this._busy=""}}_stateLabel(e){return this.hass.formatEntityState?.(e.stateEntity)??e.state}_time(e){let s=this.hass?.locale?.language??this.hass?.language??"en";try{return e.toLocaleTimeString(s,{hour:"2-digit",minute:"2-digit",timeZone:this.hass?.config.time_zone})}catch{return e.toLocaleTimeString()}}_deskNames(e,s){let i=s.map(n=>e.desks.find(o=>o.deskId===n)?.name??n);return i.length?i.join(", "):this._t("nowhere")}render(){if(!this.hass||!this._config)return h;let e=it(this.hass),s=this._config.areas?.length?new Set(this._config.areas):null,i=e.desks.filter(o=>(!s||o.areaId!==null&&s.has(o.areaId))&&(this._config.show_offline!==!1||o.state!=="offline")),n=e.accounts.filter(o=>o.state==="ringing");return p`
      <ha-card .header=${this._config.title??this._t("default_title")}>
        <div class="content">
          ${i.length?p`<div class="grid">${i.map(o=>this._renderDesk(e,o,n))}</div>`:p`<p class="empty">${this._t("no_desks")}</p>`}
          ${this._config.show_calls?this._renderCalls(e):h}
          ${this._message?p`<p class="message" role="alert">${this._message}</p>`:h}
        </div>
      </ha-card>
    `}_renderDesk(e,s,i){let n=Ct(e,s),o=h;n&&s.state==="ringing"?o=p`<div class="call">${this._t("ringing_for",{account:n.name})}${n.caller?p` · <span class="caller">${n.caller}</span>`:h}</div>`:s.state==="in_call"&&(o=p`<div class="call">${n?this._t("in_call_with",{caller:n.caller??this._t("unknown_caller")}):this._t("in_call")}</div>`);let l=i.filter(a=>a.extension&&!a.ringingDeskIds.includes(s.deskId));return p`
      <div class="tile" data-desk=${s.deskId} data-state=${s.state}>
        <div class="top">
          <span class="name">${s.name}</span>
          <span class="state ${s.state}">${this._stateLabel(s)}</span>
        </div>
        ${s.area?p`<div class="area">${s.area}</div>`:h}
        <div class="login">
          ${s.loggedIn?this._t("logged_in_since",{account:s.loggedInExtension?`${s.loggedIn} (${s.loggedInExtension})`:s.loggedIn,time:s.since?this._time(s.since):"?"}):p`<span class="muted">${this._t("nobody")}</span>`}
        </div>
        ${o}
        <div class="actions">
          ${s.loggedIn?p`<button
                class="logout"
                ?disabled=${this._busy===`logout-${s.deskId}`}
                @click=${()=>this._act(`logout-${s.deskId}`,"logout",{desk:s.deviceId})}
              >
                ${this._t("log_out")}
              </button>`:h}
          ${l.map(a=>p`<button
              class="claim"
              data-account=${a.accountId}
              ?disabled=${this._busy===`claim-${s.deskId}`}
              @click=${()=>this._act(`claim-${s.deskId}`,"claim_call",{extension:a.extension,desk:s.deviceId})}
            >
              ${this._t("claim_here",{account:a.name})}
            </button>`)}
        </div>
      </div>
    `}_renderCalls(e){let s=e.accounts.filter(n=>n.state==="ringing"||n.state==="in_call"),i=e.accounts.filter(n=>this._missed.has(n.accountId)&&n.extension);return p`
      <div class="calls">
        <h3>${this._t("calls")}</h3>
        ${s.length?h:p`<p class="muted">${this._t("no_calls")}</p>`}
        <ul>
          ${s.map(n=>p`<li class="active-call ${n.state}" data-account=${n.accountId}>
              ${n.state==="ringing"?this._t("call_rings",{caller:n.caller??this._t("unknown_caller"),account:n.name,extension:n.extension??"",desks:this._deskNames(e,n.ringingDeskIds)}):this._t("call_answered",{caller:n.caller??this._t("unknown_caller"),account:n.name,extension:n.extension??"",desk:n.answeredDesk??n.claimedDesk??this._t("nowhere")})}
            </li>`)}
          ${i.map(n=>{let o=this._missed.get(n.accountId);return p`<li class="missed" data-account=${n.accountId}>
              ${this._t("last_missed",{account:n.name,extension:n.extension,caller:o.caller})}
              <button
                class="callback"
                ?disabled=${this._busy===`call-${n.accountId}`}
                @click=${()=>this._act(`call-${n.accountId}`,"call",{extension:n.extension,number:o.number})}
              >
                ${this._t("call_back")}
              </button>
            </li>`})}
        </ul>
      </div>
    `}};T.properties={hass:{attribute:!1},_config:{state:!0},_missed:{state:!0},_message:{state:!0},_busy:{state:!0}},T.styles=V`
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
    button.callback {
      background: var(--primary-color, #03a9f4);
      color: var(--text-primary-color, #fff);
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
  `;customElements.get(U)||(customElements.define(U,T),window.customCards=window.customCards??[],window.customCards.push({type:U,name:C(navigator.language,"card_name"),description:C(navigator.language,"card_description"),preview:!0,documentationURL:"https://github.com/hotdesk-phone/hotdesk_phone#the-hot-desk-board-card"}));export{U as CARD_TYPE,T as HotdeskBoard};
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
*/
