import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  isAllowedHost,
  isAllowedOrigin,
  isAllowedPublicHost,
  isLoopbackAddress,
  isLoopbackPeer,
  isSameOrigin,
  tokenMatches,
} from './security';

describe('server security helpers', () => {
  it('accepts only loopback host names with our port', () => {
    expect(isAllowedHost('127.0.0.1:5000', 5000)).toBe(true);
    expect(isAllowedHost('localhost:5000', 5000)).toBe(true);
    expect(isAllowedHost('[::1]:5000', 5000)).toBe(true);
    expect(isAllowedHost('127.0.0.1:5001', 5000)).toBe(false);
    expect(isAllowedHost('attacker.example:5000', 5000)).toBe(false);
    expect(isAllowedHost(undefined, 5000)).toBe(false);
  });

  it('accepts a missing or same-origin Origin only', () => {
    expect(isAllowedOrigin(undefined, 80)).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:8080', 8080)).toBe(true);
    expect(isAllowedOrigin('http://evil.example:8080', 8080)).toBe(false);
    expect(isAllowedOrigin('null', 8080)).toBe(false);
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abc', 'abd')).toBe(false);
    expect(tokenMatches('abc', 'ab')).toBe(false);
    expect(tokenMatches('abc', null)).toBe(false);
    expect(bearerToken('Bearer xyz')).toBe('xyz');
    expect(bearerToken('Basic xyz')).toBeNull();
  });

  it('knows loopback addresses', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('127.3.2.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('0.0.0.0')).toBe(false);
    expect(isLoopbackAddress('192.168.1.2')).toBe(false);
  });

  it('tells loopback peers (v4, v6, v4-mapped) from others', () => {
    for (const a of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackPeer(a), a).toBe(true);
    for (const a of ['192.0.2.2', '::ffff:192.0.2.2', 'fd00::2', '', undefined])
      expect(isLoopbackPeer(a), String(a)).toBe(false);
  });

  it('beyond loopback: takes the public names given (any when none), and only our own origin', () => {
    expect(isAllowedPublicHost('review.lab.example:8443', ['review.lab.example'])).toBe(true);
    expect(isAllowedPublicHost('evil.example', ['review.lab.example'])).toBe(false);
    expect(isAllowedPublicHost('anything.example', [])).toBe(true);
    expect(isAllowedPublicHost(undefined, [])).toBe(false);
    expect(isSameOrigin(undefined, 'review.lab.example', 'https')).toBe(true);
    expect(isSameOrigin('https://review.lab.example', 'review.lab.example', 'https')).toBe(true);
    expect(isSameOrigin('http://review.lab.example', 'review.lab.example', 'https')).toBe(false);
    expect(isSameOrigin('https://evil.example', 'review.lab.example', 'https')).toBe(false);
    expect(isSameOrigin('null', 'review.lab.example', 'https')).toBe(false);
  });
});
