import java.io.File;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * A one-machine YARN + HDFS for dfml's tests: one NameNode, one DataNode, one ResourceManager
 * and one NodeManager in this JVM, on loopback.
 *
 * Usage: java Sandbox HDFSDIR CONFDIR [key=value ...]
 * (YARN's directories go under the system property test.build.data.)
 *
 * Extra key=value pairs go into the configuration before anything starts (they override the
 * defaults below). Once the ResourceManager has a live NodeManager, the client configuration
 * (core-site.xml, hdfs-site.xml, yarn-site.xml) is written to CONFDIR and "READY" is printed.
 * SIGTERM stops YARN (and with it the containers), then HDFS.
 */
public final class Sandbox {
    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // Without this, HDFS' non-daemon threads would keep a half-started JVM alive.
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Sandbox WORKDIR CONFDIR [key=value ...]");
            System.exit(2);
        }
        File work = new File(args[0]).getAbsoluteFile();
        File confDir = new File(args[1]).getAbsoluteFile();
        confDir.mkdirs();

        YarnConfiguration conf = new YarnConfiguration();
        // Loopback only.
        conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
        conf.set("dfs.datanode.hostname", "127.0.0.1");
        conf.setBoolean("dfs.permissions.enabled", false);
        conf.setInt("dfs.replication", 1);
        // Small YARN: containers of 128 MiB upwards, no memory policing (Python's virtual memory
        // is far above its resident size), and no "disk full" verdict on a busy laptop disk.
        conf.setInt("yarn.scheduler.minimum-allocation-mb", 128);
        conf.setInt("yarn.scheduler.maximum-allocation-mb", 8192);
        conf.setInt("yarn.scheduler.maximum-allocation-vcores", 8);
        conf.setInt("yarn.nodemanager.resource.memory-mb", 8192);
        conf.setInt("yarn.nodemanager.resource.cpu-vcores", 8);
        conf.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
        conf.setBoolean("yarn.nodemanager.pmem-check-enabled", false);
        conf.setFloat("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", 99.9f);
        conf.setInt("yarn.nodemanager.disk-health-checker.min-free-space-per-disk-mb", 0);
        conf.set("yarn.resourcemanager.scheduler.class",
                 "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
        // Keep finished containers' logs and working directories for a while (tests read them),
        // and aggregate logs to HDFS so `skein application logs` finds them.
        conf.setInt("yarn.nodemanager.delete.debug-delay-sec", 600);
        conf.setBoolean("yarn.log-aggregation-enable", true);
        conf.set("yarn.nodemanager.remote-app-log-dir", "/tmp/logs");
        conf.setInt("yarn.nodemanager.log-aggregation.roll-monitoring-interval-seconds", 3600);
        conf.set("yarn.nodemanager.env-whitelist",
                 "JAVA_HOME,HADOOP_COMMON_HOME,HADOOP_HDFS_HOME,HADOOP_CONF_DIR,HADOOP_YARN_HOME,PATH,LANG,TZ");
        conf.setBoolean(YarnConfiguration.YARN_MINICLUSTER_FIXED_PORTS, false);
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("not key=value: " + args[i]);
                System.exit(2);
            }
            conf.set(args[i].substring(0, eq), args[i].substring(eq + 1));
        }

        MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf, work)
                .numDataNodes(1).format(true).waitSafeMode(true).build();
        dfs.waitActive();
        String fsUri = "hdfs://127.0.0.1:" + dfs.getNameNodePort();
        conf.set("fs.defaultFS", fsUri);
        FileSystem fs = dfs.getFileSystem();
        for (String dir : new String[] {"/tmp", "/tmp/logs", "/user", "/user/" + System.getProperty("user.name")}) {
            fs.mkdirs(new Path(dir));
            fs.setPermission(new Path(dir), new FsPermission((short) 01777));
        }

        MiniYARNCluster yarn = new MiniYARNCluster("dfml-sandbox", 1, 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        if (!yarn.waitForNodeManagersToConnect(60000)) {
            System.err.println("the NodeManager did not register with the ResourceManager in 60 s");
            yarn.stop();
            dfs.shutdown();
            System.exit(1);
        }

        addNodeLabels(yarn, conf);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("STOPPING");
            System.out.flush();
            try {
                yarn.stop();
            } catch (Throwable t) {
                t.printStackTrace();
            }
            try {
                dfs.shutdown(true);
            } catch (Throwable t) {
                t.printStackTrace();
            }
            System.out.println("STOPPED");
            System.out.flush();
            stopped.countDown();
        }));

        // The RM's real addresses (ports were chosen at start) are in the cluster's config now.
        Configuration live = new Configuration(yarn.getConfig());
        live.set("fs.defaultFS", fsUri);
        writeSite(live, new File(confDir, "core-site.xml"),
                  new String[] {"fs.defaultFS", "hadoop.tmp.dir"}, new String[0]);
        writeSite(live, new File(confDir, "hdfs-site.xml"),
                  new String[] {"dfs.replication", "dfs.permissions.enabled", "dfs.client.use.datanode.hostname"},
                  new String[] {"dfs.namenode."});
        writeSite(live, new File(confDir, "yarn-site.xml"), new String[0],
                  new String[] {"yarn."});
        System.out.println("READY " + fsUri + " " + live.get(YarnConfiguration.RM_ADDRESS));
        System.out.flush();
        stopped.await();
    }

    /**
     * {@code dfml.sandbox.node-labels=fast,gpu:fast} (the labels, then after ':' the one the
     * NodeManager gets): exclusive node labels, added as {@code yarn rmadmin} would, so that
     * tests can show container requests carrying a label expression. Needs
     * {@code yarn.node-labels.enabled} and the CapacityScheduler.
     */
    private static void addNodeLabels(MiniYARNCluster yarn, Configuration conf) throws Exception {
        String spec = conf.get("dfml.sandbox.node-labels", "").trim();
        if (spec.isEmpty()) {
            return;
        }
        String[] parts = spec.split(":", 2);
        java.util.List<org.apache.hadoop.yarn.api.records.NodeLabel> labels = new java.util.ArrayList<>();
        for (String name : parts[0].split(",")) {
            labels.add(org.apache.hadoop.yarn.api.records.NodeLabel.newInstance(name.trim(), true));
        }
        org.apache.hadoop.yarn.server.resourcemanager.nodelabels.RMNodeLabelsManager manager =
                yarn.getResourceManager().getRMContext().getNodeLabelManager();
        manager.addToCluserNodeLabels(labels);
        if (parts.length == 2 && !parts[1].trim().isEmpty()) {
            org.apache.hadoop.yarn.api.records.NodeId node =
                    yarn.getNodeManager(0).getNMContext().getNodeId();
            manager.replaceLabelsOnNode(java.util.Collections.singletonMap(
                    node, java.util.Collections.singleton(parts[1].trim())));
        }
    }

    /** Write the keys named in {@code keys} or starting with one of {@code prefixes}. */
    private static void writeSite(Configuration from, File file, String[] keys, String[] prefixes)
            throws Exception {
        Configuration out = new Configuration(false);
        for (Map.Entry<String, String> e : from) {
            String k = e.getKey();
            boolean take = false;
            for (String key : keys) {
                take |= k.equals(key);
            }
            for (String p : prefixes) {
                take |= k.startsWith(p);
            }
            if (take) {
                out.set(k, from.get(k));
            }
        }
        File tmp = new File(file.getPath() + ".tmp");
        try (OutputStream os = new FileOutputStream(tmp)) {
            out.writeXml(os);
        }
        if (!tmp.renameTo(file)) {
            throw new java.io.IOException("cannot rename " + tmp + " to " + file);
        }
    }
}
