# Route-reflector convergence vs clients, ours and BIRD (docs/rr-convergence.png).
# usage: gnuplot -e "dat='rr.dat'; out='docs/rr-convergence.png'" bench/rr-plot.gp
# dat is what bench/rr.sh writes with RR_DAT=FILE: clients, then converge
# and re-converge medians per reflector, reflectors sorted (bird, calico).
set terminal pngcairo size 900,560 font "sans,11"
set output out
set title "Route reflector: clients x 4 prefixes, median of 3 runs (same run, same machine)"
set xlabel "clients"
set ylabel "seconds (log scale)"
set logscale y
set grid
set key top left
set xtics (200, 1000, 2000)
plot dat using 1:4 with linespoints lw 2 pt 7 title "calico-bgpd: all clients hold all routes", \
     dat using 1:2 with linespoints lw 2 pt 5 title "BIRD 2.0.12: all clients hold all routes", \
     dat using 1:5 with linespoints lw 2 pt 6 dt 2 title "calico-bgpd: re-converge after 10% restart", \
     dat using 1:3 with linespoints lw 2 pt 4 dt 2 title "BIRD 2.0.12: re-converge after 10% restart"
