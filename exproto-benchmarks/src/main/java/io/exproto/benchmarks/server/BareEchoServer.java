package io.exproto.benchmarks.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Reference point (1), the transport limit: a plain Netty TCP echo server with the same event
 * loop layout, socket options and backlog as the gateway's TCP listener (one boss thread, Netty's
 * default number of workers, TCP_NODELAY, backlog 1024), and nothing else: every inbound buffer is
 * written back as it is and flushed when the read burst ends.
 *
 * <p>Run by the load generator in its own JVM: {@code BareEchoServer [bind]} with bind
 * {@code 127.0.0.1:0} by default; it answers the {@link ServerControl} protocol and announces
 * {@code port}.
 */
public final class BareEchoServer {

  private BareEchoServer() {}

  /**
   * Starts the server and serves control commands until told to quit.
   *
   * @param args optional {@code host:port} to bind
   * @throws Exception when the address cannot be bound
   */
  public static void main(String[] args) throws Exception {
    String bind = args.length > 0 ? args[0] : "127.0.0.1:0";
    int colon = bind.lastIndexOf(':');
    InetSocketAddress address = new InetSocketAddress(bind.substring(0, colon),
        Integer.parseInt(bind.substring(colon + 1)));
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    Channel server = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new Echo())
        .bind(address).sync().channel();
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    new ServerControl()
        .closeOnQuit(() -> server.close().sync())
        .serve(Map.of("port", port));
  }

  /** Greets, then writes back whatever arrives. Stateless, so one instance serves every channel. */
  @ChannelHandler.Sharable
  private static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(Greeting.bytes()));
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
