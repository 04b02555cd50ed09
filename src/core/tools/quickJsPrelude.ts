// JavaScript that runs inside the QuickJS sandbox before the model's code: it defines `console`
// and returns the formatter the runner uses for the result and for errors.
//
// Formatting happens inside the sandbox on purpose: a huge or circular value is walked under the
// sandbox's own time and memory limits, never on the broker's thread, and the host only ever
// receives a string of bounded length. The builtins it relies on are captured before the model's
// code runs, so code that replaces Object.keys or Array.prototype.join cannot break the output
// of anything but itself.
//
// Kept in ES2020 without template literals of its own, so it sits in one String.raw here.

/** Items of an array, Map or Set, and properties of an object, shown per value. */
export const INSPECT_MAX_ITEMS = 100;
/** Nesting shown before values are abbreviated as [Object] / [Array]. */
export const INSPECT_MAX_DEPTH = 4;
/** Stack frames shown for an error: a stack overflow would otherwise list thousands. */
export const INSPECT_MAX_STACK_FRAMES = 10;

/** Longest array (or array-like) the Array.prototype methods below accept in the sandbox.
 *  QuickJS runs them as native loops over `length` that never poll the interrupt handler, and on
 *  a sparse array a loop over holes allocates nothing, so neither the time limit nor the memory
 *  cap would stop `new Array(2 ** 31).join()` (71 s measured) or `.indexOf()` (hours). A dense
 *  array this long needs 80 MB of elements, more than run_js's memory limit, so only sparse
 *  arrays and fake lengths meet the guard. */
export const ARRAY_GUARD_MAX_LENGTH = 10_000_000;
/** The methods guarded: those whose native loop visits every index up to `length`. */
const GUARDED_ARRAY_METHODS = [
  'concat', 'copyWithin', 'every', 'fill', 'filter', 'flat', 'flatMap', 'forEach', 'includes', 'indexOf', 'join', 'lastIndexOf',
  'map', 'reduce', 'reduceRight', 'reverse', 'shift', 'slice', 'some', 'sort', 'splice', 'toLocaleString', 'toString', 'unshift',
];

/** Evaluates to `function install(emit, limit)`, which defines globalThis.console and returns
 *  `format(value, asError)`. `emit(level, text)` returns false once output is no longer kept. */
export const SANDBOX_PRELUDE = String.raw`(function install(emit, limit) {
  'use strict';
  var apply = Reflect.apply;
  var O = Object, keys = O.keys, is = O.is, getProto = O.getPrototypeOf, getDesc = O.getOwnPropertyDescriptor, defineProperty = O.defineProperty;
  var isProtoOf = O.prototype.isPrototypeOf;
  var isArray = Array.isArray, isView = ArrayBuffer.isView, stringify = JSON.stringify, toStr = String, toNumber = Number;
  var parseIntFn = parseInt, parseFloatFn = parseFloat, isNaNFn = isNaN;
  var join = Array.prototype.join, strSlice = String.prototype.slice, strSplit = String.prototype.split;
  var fnToString = Function.prototype.toString, symbolToString = Symbol.prototype.toString;
  var dateTime = Date.prototype.getTime, dateIso = Date.prototype.toISOString, regexpToString = RegExp.prototype.toString;
  var mapSize = getDesc(Map.prototype, 'size').get, setSize = getDesc(Set.prototype, 'size').get;
  var mapEntries = Map.prototype.entries, setValues = Set.prototype.values;
  var mapIterNext = getProto(new Map().entries()).next, setIterNext = getProto(new Set().values()).next;
  var bufferLength = getDesc(ArrayBuffer.prototype, 'byteLength').get;
  var protos = {
    error: Error.prototype, date: Date.prototype, regexp: RegExp.prototype, promise: Promise.prototype,
    weakMap: WeakMap.prototype, weakSet: WeakSet.prototype, buffer: ArrayBuffer.prototype, dataView: DataView.prototype,
    object: O.prototype
  };
  var MAX_ITEMS = ${INSPECT_MAX_ITEMS}, MAX_DEPTH = ${INSPECT_MAX_DEPTH}, MAX_FRAMES = ${INSPECT_MAX_STACK_FRAMES};
  var FULL = {};

  function has(proto, value) { return apply(isProtoOf, proto, [value]); }
  function brand(getter, value) { try { apply(getter, value, []); return true; } catch (e) { return false; } }
  function isIdentifier(key) {
    if (key.length === 0) return false;
    for (var i = 0; i < key.length; i++) {
      var c = key.charCodeAt(i);
      var letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 36 || c === 95;
      if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false;
    }
    return true;
  }
  function safeGet(object, key) { try { return object[key]; } catch (e) { return undefined; } }

  function format(value, asError) {
    var parts = [], size = 0, seen = [];
    function put(text) {
      if (size + text.length > limit) {
        parts[parts.length] = apply(strSlice, text, [0, limit - size]);
        size = limit;
        throw FULL;
      }
      parts[parts.length] = text;
      size += text.length;
    }
    function describeFunction(fn) {
      var name = safeGet(fn, 'name');
      name = typeof name === 'string' && name !== '' ? name : '';
      var source = '';
      try { source = apply(fnToString, fn, []); } catch (e) {}
      if (apply(strSlice, source, [0, 5]) === 'class') return '[class ' + (name || '(anonymous)') + ']';
      return '[Function: ' + (name || '(anonymous)') + ']';
    }
    function headline(error) {
      var name = safeGet(error, 'name'), message = safeGet(error, 'message');
      name = typeof name === 'string' ? name : 'Error';
      return typeof message === 'string' && message !== '' ? name + ': ' + message : name;
    }
    function errorReport(error) {
      var text = headline(error);
      var stack = safeGet(error, 'stack');
      if (typeof stack !== 'string' || stack === '') return text;
      var frames = apply(strSplit, stack, ['\n']);
      var kept = [];
      for (var i = 0; i < frames.length; i++) if (frames[i] !== '') kept[kept.length] = frames[i];
      var more = kept.length - MAX_FRAMES;
      if (more > 0) { kept.length = MAX_FRAMES; kept[MAX_FRAMES] = '    ... ' + more + ' more frames'; }
      return kept.length === 0 ? text : text + '\n' + apply(join, kept, ['\n']);
    }
    function items(count, total, each, noun) {
      if (total === 0) return;
      for (var i = 0; i < count; i++) { put(i === 0 ? ' ' : ', '); each(i); }
      if (total > count) put(', ... ' + (total - count) + ' more ' + noun);
      put(' ');
    }
    function walk(value, depth, top) {
      var type = typeof value;
      if (type === 'string') return put(top ? value : stringify(value));
      if (type === 'number') return put(is(value, -0) ? '-0' : toStr(value));
      if (type === 'bigint') return put(toStr(value) + 'n');
      if (type === 'symbol') return put(apply(symbolToString, value, []));
      if (type === 'undefined' || type === 'boolean' || value === null) return put(toStr(value));
      if (type === 'function') return put(describeFunction(value));
      for (var s = 0; s < seen.length; s++) if (seen[s] === value) return put('[Circular]');
      try {
        if (has(protos.error, value)) return put(top ? errorReport(value) : '[' + headline(value) + ']');
        if (has(protos.date, value)) { var time = apply(dateTime, value, []); return put(isNaNFn(time) ? 'Invalid Date' : apply(dateIso, value, [])); }
        if (has(protos.regexp, value)) return put(apply(regexpToString, value, []));
        if (has(protos.promise, value)) return put('Promise {}');
        if (has(protos.weakMap, value)) return put('WeakMap {}');
        if (has(protos.weakSet, value)) return put('WeakSet {}');
        if (has(protos.buffer, value)) return put('ArrayBuffer { byteLength: ' + apply(bufferLength, value, []) + ' }');
        if (depth >= MAX_DEPTH) return put(isArray(value) ? '[Array]' : '[Object]');
        seen[seen.length] = value;
        try { walkObject(value, depth); } finally { seen.length = seen.length - 1; }
      } catch (error) {
        if (error === FULL) throw error;
        put('[object that could not be inspected]');
      }
    }
    function walkObject(value, depth) {
      if (brand(mapSize, value)) {
        var mapCount = apply(mapSize, value, []);
        var entries = apply(mapEntries, value, []);
        put('Map(' + mapCount + ') {');
        items(mapCount < MAX_ITEMS ? mapCount : MAX_ITEMS, mapCount, function () {
          var entry = apply(mapIterNext, entries, []).value;
          walk(entry[0], depth + 1, false); put(' => '); walk(entry[1], depth + 1, false);
        }, 'entries');
        return put('}');
      }
      if (brand(setSize, value)) {
        var setCount = apply(setSize, value, []);
        var values = apply(setValues, value, []);
        put('Set(' + setCount + ') {');
        items(setCount < MAX_ITEMS ? setCount : MAX_ITEMS, setCount, function () { walk(apply(setIterNext, values, []).value, depth + 1, false); }, 'values');
        return put('}');
      }
      if (isView(value)) {
        if (has(protos.dataView, value)) return put('DataView(' + value.byteLength + ')');
        var viewLength = value.length, ctor = safeGet(getProto(value), 'constructor');
        put((ctor && typeof ctor.name === 'string' ? ctor.name : 'TypedArray') + '(' + viewLength + ') [');
        items(viewLength < MAX_ITEMS ? viewLength : MAX_ITEMS, viewLength, function (i) { walk(value[i], depth + 1, false); }, 'items');
        return put(']');
      }
      if (isArray(value)) {
        var length = value.length;
        if (length === 0) return put('[]');
        var shown = length < MAX_ITEMS ? length : MAX_ITEMS;
        put('[');
        for (var i = 0; i < shown; i++) {
          put(i === 0 ? ' ' : ', ');
          if (i in value) { walk(value[i], depth + 1, false); continue; }
          var holes = 1;
          while (i + holes < shown && !((i + holes) in value)) holes++;
          put('<' + holes + ' empty item' + (holes === 1 ? '' : 's') + '>');
          i += holes - 1;
        }
        if (length > shown) put(', ... ' + (length - shown) + ' more items');
        return put(' ]');
      }
      var proto = getProto(value), prefix = '';
      if (proto === null) prefix = '[Object: null prototype] ';
      else if (proto !== protos.object) {
        var constructor = getDesc(proto, 'constructor');
        var name = constructor && typeof constructor.value === 'function' ? safeGet(constructor.value, 'name') : '';
        if (typeof name === 'string' && name !== '' && name !== 'Object') prefix = name + ' ';
      }
      var names = keys(value);
      if (names.length === 0) return put(prefix + '{}');
      put(prefix + '{');
      items(names.length < MAX_ITEMS ? names.length : MAX_ITEMS, names.length, function (i) {
        var key = names[i];
        put((isIdentifier(key) ? key : stringify(key)) + ': ');
        var descriptor = getDesc(value, key);
        if (descriptor && (descriptor.get || descriptor.set)) put(descriptor.get && descriptor.set ? '[Getter/Setter]' : descriptor.get ? '[Getter]' : '[Setter]');
        else walk(descriptor ? descriptor.value : undefined, depth + 1, false);
      }, 'properties');
      return put('}');
    }
    try {
      if (asError) {
        if (value !== null && typeof value === 'object' && has(protos.error, value)) put('Uncaught ' + errorReport(value));
        else { put('Uncaught '); walk(value, 0, false); }
      } else {
        walk(value, 0, true);
      }
    } catch (error) {
      if (error !== FULL) throw error;
      parts[parts.length] = '…';
    }
    return apply(join, parts, ['']);
  }

  /** console.log's "%s %d %i %f %o %O %j %c %%" substitutions, then the other arguments. */
  function formatArgs(args) {
    var out = '', next = 0;
    if (typeof args[0] === 'string' && args.length > 1) {
      var template = args[0];
      next = 1;
      for (var p = 0; p < template.length; p++) {
        var ch = template[p], spec = template[p + 1];
        if (ch === '%' && spec === '%') { out += '%'; p++; continue; }
        if (ch === '%' && next < args.length && spec !== undefined && 'sdifoOjc'.indexOf(spec) !== -1) {
          var arg = args[next++];
          p++;
          if (spec === 's') out += typeof arg === 'string' ? arg : format(arg, false);
          else if (spec === 'd' || spec === 'i') out += typeof arg === 'bigint' ? toStr(arg) + 'n' : typeof arg === 'symbol' ? 'NaN' : toStr(spec === 'i' ? parseIntFn(arg) : toNumber(arg));
          else if (spec === 'f') out += typeof arg === 'symbol' ? 'NaN' : toStr(parseFloatFn(arg));
          else if (spec !== 'c') out += format(arg, false);
          continue;
        }
        out += ch;
        if (out.length > limit) return out;
      }
    }
    for (; next < args.length && out.length <= limit; next++) out += (out === '' && next === 0 ? '' : ' ') + format(args[next], false);
    return out;
  }

  var GUARD = ${ARRAY_GUARD_MAX_LENGTH};
  var guarded = ${JSON.stringify(GUARDED_ARRAY_METHODS)};
  var ArrayProto = Array.prototype, RangeErrorCtor = RangeError;
  function lengthOf(value) { return value === null || value === undefined ? 0 : toNumber(value.length); }
  function guard(name) {
    var original = ArrayProto[name];
    if (typeof original !== 'function') return;
    var holder = {};
    holder[name] = function () {
      var length = lengthOf(this);
      if (name === 'concat') for (var a = 0; a < arguments.length; a++) if (isArray(arguments[a]) && arguments[a].length > length) length = arguments[a].length;
      if (length > GUARD) throw new RangeErrorCtor('Array.prototype.' + name + ' on ' + length + ' elements: run_js refuses arrays longer than ' + GUARD + ' (sparse arrays this long would block the sandbox past its time limit)');
      return apply(original, this, arguments);
    };
    defineProperty(holder[name], 'length', { value: original.length });
    defineProperty(holder[name], 'name', { value: name });
    defineProperty(ArrayProto, name, { value: holder[name], writable: true, configurable: true, enumerable: false });
  }
  for (var g = 0; g < guarded.length; g++) guard(guarded[g]);

  var accepting = true;
  function method(level) {
    return function () {
      if (!accepting) return undefined;
      var args = [];
      for (var i = 0; i < arguments.length; i++) args[i] = arguments[i];
      accepting = emit(level, formatArgs(args));
      return undefined;
    };
  }
  var console = {};
  var levels = ['log', 'info', 'warn', 'error'];
  for (var l = 0; l < levels.length; l++) console[levels[l]] = method(levels[l]);
  defineProperty(globalThis, 'console', { value: console, writable: true, configurable: true, enumerable: false });
  return format;
})`;
