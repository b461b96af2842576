package org.apache.hadoop.yarn.server.webproxy.amfilter;

import java.io.IOException;

import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;

/**
 * Sandbox only: a pass-through stand-in for YARN's web-proxy filter, on the application
 * master's classpath ahead of Hadoop's.
 *
 * skein's application master installs this filter by class in its own (unrelocated) servlet
 * container; the shaded Hadoop client jars carry a copy built against a relocated servlet API,
 * which that container refuses, and the master exits. The real filter only redirects browsers
 * to the ResourceManager's proxy, which a loopback sandbox has no use for.
 */
public class AmIpFilter implements Filter {
    public static final String PROXY_HOSTS = "PROXY_HOSTS";
    public static final String PROXY_HOSTS_DELIMITER = ",";
    public static final String PROXY_URI_BASES = "PROXY_URI_BASES";
    public static final String PROXY_URI_BASES_DELIMITER = ",";

    @Override
    public void init(FilterConfig conf) {
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(req, resp);
    }

    @Override
    public void destroy() {
    }
}
