"""Manager analytics: aggregation in SQL, pandas only to shape the (small) results.

Every public function takes the acting user and checks the role and the manager's teams
(:mod:`trainer.reports.scope`): trainees get :class:`trainer.records.errors.Forbidden`.

=====================  ==================================================================
module                 what
=====================  ==================================================================
scope                  who may see which agents and teams
board                  团队看板: per-agent table, mastery heat map, trend, weak rules
agent                  学员详情: summary, timeline, answers, one answer, mastery vs team
items                  题目分析: facility, discrimination, flags, rubric-criterion hit rates
assignments            分配: status of every (assignment, agent)
rules                  rule versions raised in the app and who is behind
export                 CSV (utf-8-sig) and XLSX bytes of the board and the answers
scale                  synthetic data at scale and the board benchmark
=====================  ==================================================================
"""
