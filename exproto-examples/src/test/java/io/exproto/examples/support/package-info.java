/**
 * Test support shared by the example tests: child processes (JVMs and Python) whose output is
 * read line by line, and a line-oriented TCP device client.
 */
package io.exproto.examples.support;
