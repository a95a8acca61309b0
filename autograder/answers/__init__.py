"""The written questions of the notebooks: their answers, for grading by hand, and their scores.

``python -m autograder answers SUBMISSIONS --out DIR`` takes every written answer
out of the handed-in notebooks (:mod:`.extract`) and writes one HTML page per
question with every student's answer to it (:mod:`.pages`), an index, the key
from anonymous ids to submissions and a manual-scores CSV to fill in
(:mod:`.manual`); ``grade-all --manual-scores FILE`` reads the CSV back into the
gradebook and the students' reports. The questions and their points are those
the notebook sources declare (:mod:`.questions`).
"""
